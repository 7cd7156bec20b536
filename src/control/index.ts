export { controlAdmin } from "./admin";
export { redeemBypassLink, showBypassLink } from "./bypass-link";
export { operatorControls } from "./gate";
export { ShopControl } from "./shop-control";
export { operatorStatus } from "./status";
