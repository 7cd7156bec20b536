export { checkout } from "./routes";
export { edgeOrder, orderTarget, type EdgeOrder, type OrderTarget } from "./payload";
export { CHECKOUT_PATH, CHECKOUT_TITLE } from "./path";
