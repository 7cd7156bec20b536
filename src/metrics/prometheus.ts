/**
 * The Prometheus text exposition format (version 0.0.4): HELP and TYPE lines,
 * then one line per series. Pure, so the escaping rules are unit-tested.
 */

export type Sample = { labels: Record<string, string>; value: number };
export type Family = { name: string; type: "counter" | "gauge"; help: string; samples: Sample[] };

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const escapeHelp = (text: string) => text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
const escapeLabel = (text: string) => text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

function series(name: string, sample: Sample): string {
  const labels = Object.entries(sample.labels).map(([label, value]) => `${label}="${escapeLabel(value)}"`);
  return `${name}${labels.length ? `{${labels.join(",")}}` : ""} ${Number.isFinite(sample.value) ? sample.value : 0}`;
}

export function formatPrometheus(families: Family[]): string {
  return families
    .map((family) =>
      [
        `# HELP ${family.name} ${escapeHelp(family.help)}`,
        `# TYPE ${family.name} ${family.type}`,
        ...family.samples.map((sample) => series(family.name, sample)),
      ].join("\n"),
    )
    .join("\n")
    .concat("\n");
}
