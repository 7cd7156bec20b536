import { z } from "zod";

/** A deliverable-looking address, trimmed and lower-cased so one person is one subscriber. */
export const subscriberEmail = z
  .string({ error: "Enter your email address." })
  .trim()
  .min(1, "Enter your email address.")
  .max(254, "That email address is too long.")
  .pipe(z.email("Enter a valid email address, like name@example.com."))
  .transform((email) => email.toLowerCase());
