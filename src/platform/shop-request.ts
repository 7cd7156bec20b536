import { DEFAULT_SHOP_ID, SHOP_ID } from "../config/registry";
import { parseConfig, VARIABLES, VARIABLE_SCHEMAS, type ConfigVariable } from "../config/schema";

/**
 * The body of `PUT /__stayopen/platform/shops/<id>` checked by the one schema,
 * as a pure function: a shop is valid only when the schema takes every value
 * exactly as the vars of a single-shop deployment would be taken. A problem
 * names the field (`config.ORIGIN_URL`, `hosts[1]`, `secrets.ADMIN_TOKEN`) and
 * never echoes a value.
 */

/** What the registry stores: hosts normalized, every value as the text a var would hold. */
export type ShopRequest = { hosts: string[]; config: Record<string, string>; secrets: Record<string, string> };

export type FieldProblem = { field: string; message: string };

export type ShopRequestResult = { ok: true; value: ShopRequest } | { ok: false; problems: FieldProblem[] };

/** The deployment's own secrets: set with `wrangler secret put`, never a shop's. */
const DEPLOYMENT_SECRETS: readonly string[] = ["PLATFORM_TOKEN"];

const BODY_FIELDS = ["hosts", "config", "secrets"];
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

export function shopIdProblem(id: string): FieldProblem | null {
  if (!SHOP_ID.test(id))
    return {
      field: "id",
      message: "id must be 1 to 63 lower-case letters, digits or dashes, starting with a letter or digit",
    };
  // "default" is single-shop mode's id: no registered shop may take it.
  if (id === DEFAULT_SHOP_ID) return { field: "id", message: `id "${id}" is reserved for single-shop mode` };
  return null;
}

/**
 * A host as requests name it: lower-case, without a port or a trailing dot,
 * so `Shop-A.example:443` and `shop-a.example` are one host. Null when it is
 * not a host name (a URL, a wildcard, an IPv6 literal, an empty label).
 */
export function normalizeHost(value: string): string | null {
  const host = value
    .trim()
    .toLowerCase()
    .replace(/:\d{1,5}$/, "")
    .replace(/\.$/, "");
  if (host.length === 0 || host.length > 253) return null;
  return host.split(".").every((label) => LABEL.test(label)) ? host : null;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const isSecret = (name: string): boolean => (VARIABLES as Record<string, { secret?: true }>)[name]?.secret === true;
const isVariable = (name: string): name is ConfigVariable => Object.hasOwn(VARIABLE_SCHEMAS, name);

function checkHosts(value: unknown, problems: FieldProblem[]): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    problems.push({ field: "hosts", message: 'hosts must be a non-empty array of host names like ["shop-a.example"]' });
    return [];
  }
  const hosts: string[] = [];
  value.forEach((item, index) => {
    const field = `hosts[${index}]`;
    const host = typeof item === "string" ? normalizeHost(item) : null;
    if (host === null) problems.push({ field, message: `${field} must be a host name like shop-a.example` });
    else if (hosts.includes(host)) problems.push({ field, message: `${field} is listed twice` });
    else hosts.push(host);
  });
  return hosts;
}

/**
 * A value as the text a var holds: numbers and booleans as written, a JSON
 * array or object (BACKUP_ORIGINS, ORDER_REPLIES) as its JSON, like wrangler.toml's.
 */
function asText(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "object" && value !== null) return JSON.stringify(value);
  return null;
}

function checkSection(section: "config" | "secrets", value: unknown, problems: FieldProblem[]): Record<string, string> {
  const text: Record<string, string> = {};
  if (value === undefined) return text;
  if (!isObject(value)) {
    problems.push({ field: section, message: `${section} must be a JSON object of variable names` });
    return text;
  }
  for (const [name, item] of Object.entries(value)) {
    const field = `${section}.${name}`;
    if (DEPLOYMENT_SECRETS.includes(name)) {
      problems.push({ field, message: `${field} is the deployment's own secret, not a shop's` });
    } else if (!isVariable(name)) {
      problems.push({ field, message: `${field} is not a variable stayopen knows (see docs/configuration.md)` });
    } else if (section === "config" && isSecret(name)) {
      problems.push({ field, message: `${field} is a secret: send it in "secrets", never in "config"` });
    } else if (section === "secrets" && !isSecret(name)) {
      problems.push({ field, message: `${field} is not a secret: send it in "config"` });
    } else {
      const textValue = section === "secrets" ? (typeof item === "string" ? item : null) : asText(item);
      if (textValue === null)
        problems.push({
          field,
          message: `${field} must be ${section === "secrets" ? "a string" : "a string, number, boolean or JSON value"}`,
        });
      else text[name] = textValue;
    }
  }
  return text;
}

/**
 * Checks a PUT body: only `hosts`, `config` and `secrets`; every name one of
 * the schema's variables, each in its place; every value one the schema takes
 * (ORIGIN_URL required, the rules between variables included). Every problem
 * is listed, the first one leading.
 */
export function parseShopRequest(body: unknown): ShopRequestResult {
  if (!isObject(body))
    return {
      ok: false,
      problems: [{ field: "body", message: 'The body must be a JSON object {"hosts","config","secrets"}' }],
    };
  const problems: FieldProblem[] = [];
  for (const name of Object.keys(body))
    if (!BODY_FIELDS.includes(name))
      problems.push({ field: name, message: `${name} is not a field of a shop (only hosts, config and secrets)` });
  const hosts = checkHosts(body.hosts, problems);
  const config = checkSection("config", body.config, problems);
  const secrets = checkSection("secrets", body.secrets, problems);
  // The schema itself, over config and secrets together, exactly as the shop will be parsed when it serves.
  for (const found of parseConfig({ ...config, ...secrets }).problems) {
    const field = `${found.variable in secrets ? "secrets" : "config"}.${found.variable}`;
    if (problems.some((known) => known.field === field)) continue;
    problems.push({ field, message: found.message.replace(found.variable, field) });
  }
  return problems.length === 0 ? { ok: true, value: { hosts, config, secrets } } : { ok: false, problems };
}
