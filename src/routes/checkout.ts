import { Hono } from "hono";
import type { AppEnv } from "../config/env";
import { rateLimit } from "./rate-limit";
import { placeOrder } from "../checkout/place";
import { showCheckout } from "../checkout/show";

/** Mounted at /__stayopen/checkout: ordering from the feed snapshot while the shop's own checkout is down. */
export const checkout = new Hono<AppEnv>();

checkout.get("/", showCheckout);
checkout.post("/", rateLimit("checkout"), placeOrder);
