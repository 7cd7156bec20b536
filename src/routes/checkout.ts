import { Hono } from "hono";
import type { AppEnv } from "../config/env";
import { rateLimit } from "./rate-limit";
import { placeEdgeOrder } from "../checkout/place";
import { respondToPlacement } from "../checkout/respond";
import { showCheckout } from "../checkout/show";

/** Mounted at /__stayopen/checkout: ordering from the feed snapshot while the shop's own checkout is down. */
export const checkout = new Hono<AppEnv>();

checkout.get("/", showCheckout);
// The use case says what became of the order; one presenter answers it as JSON or a page.
checkout.post("/", rateLimit("checkout"), async (c) => respondToPlacement(c, await placeEdgeOrder(c)));
