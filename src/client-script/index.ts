export { clientScript } from "./inject";
export { serveClientScript } from "./script";
