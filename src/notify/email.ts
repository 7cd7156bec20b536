import { z } from "zod";
import { containsCardNumber } from "../http/card-scan";

/** A deliverable-looking address, trimmed and lower-cased so one person is one subscriber. */
export const subscriberEmail = z
  .string({ error: "Enter your email address." })
  .trim()
  .min(1, "Enter your email address.")
  .max(254, "That email address is too long.")
  .pipe(z.email("Enter a valid email address, like name@example.com."))
  // The edge keeps no card data, not even typed into the wrong field.
  .refine((email) => !containsCardNumber(email), "Enter your email address, not a card number.")
  .transform((email) => email.toLowerCase());
