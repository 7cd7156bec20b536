export { count, countBreakerTransition, flushMetrics } from "./counters";
export { Metrics } from "./metrics-object";
export { countBySource } from "./middleware";
export { metricsRoute } from "./route";
