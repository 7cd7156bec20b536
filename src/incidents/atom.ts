import type { Incident } from "./incident";

/**
 * The incident history as an Atom 1.0 feed (RFC 4287): one entry per
 * incident, newest first, updated whenever it ends, is retitled or gets an
 * update, so feed readers show the change.
 */

export const ATOM_CONTENT_TYPE = "application/atom+xml; charset=utf-8";

/** Characters XML 1.0 does not allow at all (an operator may paste them): dropped rather than breaking the feed. */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };

/** Text safe in XML content and in quoted attribute values. */
export function escapeXml(text: string): string {
  return text.replace(NOT_XML, "").replace(/[&<>"']/g, (char) => ENTITIES[char]!);
}

/** When an incident last changed: its start, its end, its latest update. */
export function lastChanged(incident: Incident): string {
  const times = [incident.startedAt, incident.endedAt, ...incident.updates.map((update) => update.at)];
  return times
    .filter((time): time is string => time !== null)
    .sort()
    .at(-1)!;
}

/** The entry's plain-text summary: what happened, how long, what it did to shoppers, and the updates. */
export function incidentSummary(incident: Incident): string {
  const { impact } = incident;
  const lines = [
    incident.endedAt === null
      ? `Ongoing since ${incident.startedAt}.`
      : `From ${incident.startedAt} to ${incident.endedAt}.`,
    `Pages served from the saved copy: ${impact.staleServed}. Orders accepted while the shop system was away: ${impact.ordersAccepted}, of which delivered: ${impact.ordersDelivered}.`,
    ...incident.updates.map((update) => `${update.at}: ${update.message}`),
  ];
  return lines.join("\n");
}

type FeedInput = {
  /** The shop's public origin, e.g. https://shop.example; ids and links are built on it. */
  base: string;
  shopName: string;
  incidents: Incident[];
  /** The feed's `updated` when there is no incident yet. */
  now: string;
};

export function renderAtom({ base, shopName, incidents, now }: FeedInput): string {
  const statusUrl = `${base}/__stayopen/status`;
  const selfUrl = `${base}/__stayopen/incidents.atom`;
  const updated = incidents.map(lastChanged).sort().at(-1) ?? now;
  const entries = incidents.map(
    (incident) => `  <entry>
    <id>${escapeXml(`${statusUrl}#${incident.id}`)}</id>
    <title type="text">${escapeXml(incident.title)}</title>
    <link rel="alternate" type="text/html" href="${escapeXml(`${statusUrl}#${incident.id}`)}"/>
    <published>${incident.startedAt}</published>
    <updated>${lastChanged(incident)}</updated>
    <category term="${incident.kind}"/>
    <summary type="text">${escapeXml(incidentSummary(incident))}</summary>
  </entry>
`,
  );
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>${escapeXml(selfUrl)}</id>
  <title type="text">${escapeXml(`${shopName}: incident history`)}</title>
  <updated>${updated}</updated>
  <author><name>${escapeXml(shopName)}</name></author>
  <link rel="self" type="application/atom+xml" href="${escapeXml(selfUrl)}"/>
  <link rel="alternate" type="text/html" href="${escapeXml(statusUrl)}"/>
${entries.join("")}</feed>
`;
}
