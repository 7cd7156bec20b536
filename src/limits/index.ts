export { COUNTER_SHARDS, counterShard, RateLimitCounter, takeRequests, type Grant, type Window } from "./counter";
export { leaseSize, Leases } from "./leases";
export { clientKey, rateLimit, type Bucket } from "./rate-limit";
