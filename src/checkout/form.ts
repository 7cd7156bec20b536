import { z } from "zod";
import { toBase64Url } from "../http/base64url";
import type { PaymentMethod } from "../payments/provider";

/**
 * The edge checkout form: `sku`, `qty`, `name`, `email`, `address`, `payment`
 * and the optional hidden `token` that makes a resubmitted form the same order
 * (the rendered form carries one; a post without it is a new order of its own).
 * Messages are written for shoppers; they are shown next to their field.
 */

export const MAX_QTY = 99;

export const quantity = z
  .string()
  .trim()
  .regex(/^\d{1,3}$/, `Enter a quantity from 1 to ${MAX_QTY}.`)
  .transform(Number)
  .pipe(
    z.number().min(1, `Enter a quantity from 1 to ${MAX_QTY}.`).max(MAX_QTY, `Enter a quantity from 1 to ${MAX_QTY}.`),
  );

/** 128 random bits, base64url: one per rendered form. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
const EXPIRED_FORM = "This form has expired. Please check your details and submit again.";

export function newFormToken(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
}

const text = (missing: string, max: number, tooLong: string) =>
  z.string({ error: missing }).trim().min(1, missing).max(max, tooLong);

function checkoutSchema(methods: readonly [PaymentMethod, ...PaymentMethod[]]) {
  return z.object({
    sku: text("Choose a product.", 100, "Choose a product."),
    qty: z.string({ error: `Enter a quantity from 1 to ${MAX_QTY}.` }).pipe(quantity),
    name: text("Enter your name.", 200, "Your name can be at most 200 characters."),
    email: text("Enter your email address.", 254, "That email address is too long.").pipe(
      z.email("Enter a valid email address, like name@example.com."),
    ),
    address: text("Enter your shipping address.", 1000, "The address can be at most 1000 characters."),
    payment: z.enum(methods, { error: "Choose how you want to pay." }),
    token: z.string({ error: EXPIRED_FORM }).regex(TOKEN_PATTERN, EXPIRED_FORM).optional(),
  });
}

/**
 * The review step, not part of the contract: the form's button posts `step=review` to see the order
 * with its total and place nothing; the review page carries the total it showed in `reviewed`, so a
 * final submit whose total no longer matches (quantity changed since) is shown again, never placed.
 */
export const REVIEW_STEP = "review";
export const REVIEW_FIELDS = ["step", "reviewed"] as const;

export const CHECKOUT_FIELDS = ["sku", "qty", "name", "email", "address", "payment", "token"] as const;
export type CheckoutFields = (typeof CHECKOUT_FIELDS)[number];
export type CheckoutInput = z.output<ReturnType<typeof checkoutSchema>>;
export type FieldErrors = Partial<Record<CheckoutFields, string>>;
export type FormValues = Partial<Record<CheckoutFields, string>>;

export type CheckoutParse = { ok: true; input: CheckoutInput } | { ok: false; errors: FieldErrors };

/** Validates a submitted form; on failure, the first problem of each field. */
export function parseCheckout(
  values: FormValues,
  methods: readonly [PaymentMethod, ...PaymentMethod[]],
): CheckoutParse {
  const result = checkoutSchema(methods).safeParse(values);
  if (result.success) return { ok: true, input: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = issue.path[0] as CheckoutFields;
    errors[field] ??= issue.message;
  }
  return { ok: false, errors };
}
