import { Hono } from "hono";
import type { AppEnv } from "../config/env";
import { stripeWebhook } from "../payments/webhook";

/** Mounted at /__stayopen/payments: callbacks from payment providers. */
export const payments = new Hono<AppEnv>();

payments.post("/stripe/webhook", stripeWebhook);
