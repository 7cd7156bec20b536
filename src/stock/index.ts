export { StockReservations, HOLD_MS, type StockLevel, type ReserveOutcome } from "./reservations";
export {
  availableStock,
  confirmLines,
  releaseLines,
  reservationMeta,
  reserveLines,
  settleOrderStock,
  stockObject,
  type OrderOutcome,
  type ReservationMeta,
  type StockLine,
} from "./reserve";
