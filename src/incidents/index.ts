export { IncidentLog } from "./incident-log";
export { incidentsAdmin, incidentsAtom, incidentsJson } from "./routes";
export { incidentReporter, incidentLog } from "./store";
export type { Incident, IncidentKind } from "./incident";
