import { Hono } from "hono";
import type { AppEnv } from "../config/env";
import { rateLimit } from "./rate-limit";
import { subscribe } from "./subscribe";

/** Mounted at /__stayopen/notify. */
export const notify = new Hono<AppEnv>();

notify.post("/", rateLimit("notify"), subscribe);
