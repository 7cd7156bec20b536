export { dashboard } from "./routes";
