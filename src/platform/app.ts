import { Hono } from "hono";
import type { AppEnv } from "../config/env";
import { operatorAnswers } from "../admin/auth";
import { asPlatform, requirePlatform } from "./door";
import { platformDashboard } from "./dashboard";
import { deletedShopOrders } from "./deleted-shop";
import { shopsApi } from "./shops";

/**
 * The platform under /__stayopen/platform, on every host: the shops API
 * (JSON in, JSON out) and the dashboard that renders it, both behind
 * PLATFORM_TOKEN (or a platform dashboard session); without it, 404.
 */
export const platform = new Hono<AppEnv>();

platform.use("*", asPlatform());
platform.use("*", requirePlatform());
platform.use("*", operatorAnswers());

platform.route("/", shopsApi);
platform.route("/", platformDashboard);
platform.route("/", deletedShopOrders);
