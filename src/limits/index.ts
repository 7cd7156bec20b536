export { RateLimitCounter } from "./counter";
export { clientKey, rateLimit, type Bucket } from "./rate-limit";
