/** The incident record as shoppers, feeds and the admin API see it; its shape is part of the contract. */

export type IncidentKind = "outage" | "maintenance";
export type IncidentUpdate = { at: string; message: string };
export type Impact = { staleServed: number; ordersAccepted: number; ordersDelivered: number };

export type Incident = {
  id: string;
  kind: IncidentKind;
  startedAt: string;
  endedAt: string | null;
  title: string;
  updates: IncidentUpdate[];
  impact: Impact;
};

/** A page of the history, newest first; `next` is the cursor for the page after it. */
export type IncidentPage = { incidents: Incident[]; next: string | null };

/** Incidents are kept this long after they end (the contract asks for at least 90 days). */
export const RETENTION_MS = 90 * 86_400_000;

export const TITLE_MAX = 200;
export const MESSAGE_MAX = 2000;

const TITLES: Record<IncidentKind, string> = {
  outage: "Shop system unreachable",
  maintenance: "Closed for maintenance",
};

/** The title an incident starts with, until an operator retitles it. */
export function defaultTitle(kind: IncidentKind): string {
  return TITLES[kind];
}

/** An incident id: opaque, and unique without coordination. */
export function newIncidentId(): string {
  return `inc_${crypto.randomUUID().replaceAll("-", "")}`;
}
