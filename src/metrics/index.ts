export { count, flushIfDue, flushMetrics, COUNTERS, type CounterName, type Labels } from "./counters";
export { Metrics } from "./metrics-object";
export { countBySource } from "./middleware";
export { metricsRoute } from "./route";
