import { z } from "zod";
import { VARIABLES, VARIABLE_SCHEMAS, type ConfigVariable } from "./schema";

/**
 * docs/configuration.md, rendered from the schema: each variable's name,
 * meaning and secret flag from `VARIABLES`, its default from parsing it unset.
 * Pure, so `npm run config:doc` writes it and a test compares it with the
 * committed page. The output is already prettier-formatted (aligned table).
 */

const INTRO = `<!-- Generated from src/config/schema.ts by \`npm run config:doc\`: edit the schema, not this page. -->

# Configuration

Variables are set in \`wrangler.toml\` \`[vars]\` (the shipped file sets only \`ORIGIN_URL\`; secrets via
\`wrangler secret put\`) and read by one schema (\`src/config/schema.ts\`), each variable on its own. A value
stayopen cannot use never takes the shop down and is never quietly replaced: it is named in the log,
in \`GET /__stayopen/admin/status\` (\`configProblems\`) and in the readiness report, and taken as unset,
so only what it configures changes ([when a setting is wrong](operations.md#when-a-setting-is-wrong)).
Any variable can be overridden locally with \`wrangler dev --var NAME:VALUE\`. An empty value means "not
set". Values are text; a TOML number or array in \`wrangler.toml\` (\`ORIGIN_TIMEOUT_MS = 3000\`,
\`BACKUP_ORIGINS = [{ url = "https://dr.example.com" }]\`) reads the same.
`;

/**
 * The text a user would write for the default, found where the schema sets
 * it: before any transform (PROBE_EXPECT_STATUS keeps "200-399", not ranges;
 * a JSON variable its JSON). Undefined when the schema sets none.
 */
function defaultText(schema: z.core.$ZodType): string | undefined {
  if (schema instanceof z.ZodDefault) {
    const value: unknown = schema.def.defaultValue;
    return typeof value === "string" ? value : typeof value === "number" ? String(value) : JSON.stringify(value);
  }
  if (schema instanceof z.ZodPipe) return defaultText(schema.in) ?? defaultText(schema.out);
  return undefined;
}

/** The default column: "(required)", "—" for none (or an empty list), else the default as written. */
function shownDefault(name: ConfigVariable): string {
  const schema = VARIABLE_SCHEMAS[name];
  const unset = schema.safeParse(undefined);
  if (!unset.success) return "(required)";
  if (unset.data === undefined) return "—";
  const text = defaultText(schema);
  // The text shown must be the default: written as the value, it parses to what unset does.
  const written = text === undefined ? undefined : schema.safeParse(text);
  if (text === undefined || !written?.success || JSON.stringify(written.data) !== JSON.stringify(unset.data))
    throw new Error(`${name}: cannot show its default as text (found ${JSON.stringify(text)})`);
  return text === "" ? "—" : `\`${text}\``;
}

/** A markdown table as prettier prints it: every column padded to its widest cell. */
function table(header: string[], rows: string[][]): string {
  const width = (cell: string) => [...cell].length;
  const widths = header.map((title, column) => Math.max(width(title), ...rows.map((row) => width(row[column]!))));
  const line = (cells: string[]) =>
    `| ${cells.map((cell, column) => cell + " ".repeat(widths[column]! - width(cell))).join(" | ")} |`;
  return [line(header), line(widths.map((size) => "-".repeat(size))), ...rows.map(line)].join("\n") + "\n";
}

export function renderConfigurationDoc(): string {
  const rows = (Object.entries(VARIABLES) as [ConfigVariable, { meaning: string; secret?: true }][]).map(
    ([name, doc]) => [`\`${name}\`${doc.secret ? " (secret)" : ""}`, shownDefault(name), doc.meaning],
  );
  return `${INTRO}\n${table(["variable", "default", "meaning"], rows)}`;
}
