export { OrderQueue } from "./order-queue";
export { orderIntake } from "./intake";
export { orderStatus } from "./status";
export { ordersAdmin } from "./admin";
export { drainNow, enqueueOrder, getOrder, queueDepth, wakeQueueShards } from "./queue";
export type { NewOrder, OrderState, OrderView, QueuedOrder } from "./types";
