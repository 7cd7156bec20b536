export { RateLimitCounter } from "./counter";
