export { toCsv, csvField } from "./csv";
export { subscriberEmail } from "./email";
export { exportSubscribers } from "./export";
export { announceRecovery, type RecoveryOutcome } from "./recovery";
export { notify } from "./routes";
export { subscriberList } from "./store";
export {
  NotifySubscribers,
  retryDelayMs,
  type AnnounceOutcome,
  type RecoveryAnnouncement,
  type Subscriber,
} from "./subscribers";
