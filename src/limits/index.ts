export { RateLimitCounter } from "./counter";
export { clientKey, rateLimit, rateLimitRefusal, type Bucket } from "./rate-limit";
