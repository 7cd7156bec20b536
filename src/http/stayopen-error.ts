/**
 * Kept only so branches written against this module still build while they
 * are merged: the errors live in `./errors` (code → status → message). Import
 * from there.
 */
export { ConfigError, isStayopenError, StayopenError } from "./errors";
