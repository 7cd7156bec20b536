export { RateLimitCounter, countHit, type Hit, type Window } from "./counter";
export { clientKey, rateLimit, type Bucket } from "./rate-limit";
