export { settleOrderStock, type OrderOutcome } from "./reserve";
