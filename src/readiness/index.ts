export { publicOrigin, type PageCoverage } from "./coverage";
export { prewarm } from "./prewarm";
export { readinessReport, type ReadinessReport } from "./report";
export { readinessRoute } from "./route";
export { rememberShopperOrigin } from "./shopper-origins";
