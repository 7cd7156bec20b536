import { readLimited } from "../http/body";
import type { OriginCall } from "../origin/call";
import { settledWithin } from "../shared-copy";
import { responseIsPublic } from "./shareable";

/**
 * Request collapsing inside one isolate: while one shareable request for a page
 * is at the origin, later ones for the same page wait for its answer instead of
 * sending their own. Waiters get their own copy built from plain bytes, because
 * a Workers request may not read another request's streams. An answer that is
 * not for everyone (a cookie, private, or varying on a header the waiter sent
 * differently) is never handed on: those waiters ask the origin themselves.
 */

type Handoff =
  | {
      kind: "answered";
      originUrl: string;
      status: number;
      statusText: string;
      headers: [string, string][];
      body: ArrayBuffer;
      varied: [string, string | null][];
    }
  | { kind: "failed"; reason: string }
  | { kind: "skipped" }
  | { kind: "alone" };

type Flight = { startedAt: number; waiters: number; handoff: Promise<Handoff> };

const inflight = new Map<string, Flight>();

const CONDITIONAL = ["if-none-match", "if-modified-since", "if-match", "if-unmodified-since", "if-range", "range"];

/** A conditional or partial request asks a different question than its neighbours; it never shares an answer. */
export function collapsible(request: Request): boolean {
  return request.method === "GET" && !CONDITIONAL.some((name) => request.headers.has(name));
}

export type CollapseOptions = {
  /** Larger answers are not copied for waiters; they fetch their own. */
  maxBytes: number;
  /** How long a waiter waits for the answer before it asks the origin itself. */
  waitMs: number;
  waitUntil: (promise: Promise<unknown>) => void;
};

export type CollapsedCall = { call: OriginCall; joined: boolean };

/**
 * Runs `call` for the first request of `key` and lets concurrent requests of
 * the same key share its outcome. `joined` says this request used another
 * one's answer.
 */
export async function collapsedCall(
  key: string,
  request: Request,
  call: () => Promise<OriginCall>,
  options: CollapseOptions,
): Promise<CollapsedCall> {
  const flight = inflight.get(key);
  // A flight older than a waiter would wait lost its leader (a cancelled request): start a new one.
  if (flight && Date.now() - flight.startedAt < options.waitMs) {
    const shared = await join(flight, request, options.waitMs);
    return shared ? { call: shared, joined: true } : { call: await call(), joined: false };
  }
  return { call: await lead(key, request, call, options), joined: false };
}

async function lead(
  key: string,
  request: Request,
  call: () => Promise<OriginCall>,
  options: CollapseOptions,
): Promise<OriginCall> {
  let settle: (handoff: Handoff) => void = () => {};
  const handoff = new Promise<Handoff>((resolve) => (settle = resolve));
  const flight: Flight = { startedAt: Date.now(), waiters: 0, handoff };
  inflight.set(key, flight);
  let result: OriginCall;
  try {
    result = await call();
  } catch (error) {
    settle({ kind: "alone" });
    throw error;
  } finally {
    if (inflight.get(key) === flight) inflight.delete(key);
  }
  if (flight.waiters === 0) return result;
  if (result.kind !== "answered") {
    settle(result);
    return result;
  }
  const response = result.response;
  if (!responseIsPublic(response).shareable) {
    settle({ kind: "alone" });
    return result;
  }
  const varied = variedHeaders(response.headers.get("vary"), request);
  // The copy's length is its decoded body's; the runtime sets it.
  const headers = [...response.headers].filter(([name]) => name !== "content-length");
  const answer = {
    originUrl: result.originUrl,
    status: response.status,
    statusText: response.statusText,
    headers,
    varied,
  };
  if (!response.body) {
    settle({ kind: "answered", ...answer, body: new ArrayBuffer(0) });
    return result;
  }
  const [mine, theirs] = response.body.tee();
  options.waitUntil(
    readLimited(theirs, options.maxBytes).then(
      (read) =>
        settle(read.ok ? { kind: "answered", ...answer, body: read.bytes.buffer as ArrayBuffer } : { kind: "alone" }),
      () => settle({ kind: "alone" }),
    ),
  );
  return { kind: "answered", response: new Response(mine, response), originUrl: result.originUrl };
}

async function join(flight: Flight, request: Request, waitMs: number): Promise<OriginCall | null> {
  flight.waiters++;
  // Each waiter keeps its own timer: the flight belongs to the leader's request (and a shared timer to the
  // first waiter's), either of which may be cancelled with its client.
  const joined = await settledWithin(flight.handoff, waitMs);
  if (!joined.settled) return null;
  const handoff = joined.value;
  switch (handoff.kind) {
    case "failed":
    case "skipped":
      return handoff;
    case "alone":
      return null;
    case "answered": {
      const sameVariant = handoff.varied.every(([name, value]) => request.headers.get(name) === value);
      if (!sameVariant) return null;
      const { originUrl, status, statusText, headers, body } = handoff;
      return { kind: "answered", response: new Response(body.slice(0), { status, statusText, headers }), originUrl };
    }
  }
}

/** The leader's values of the request headers the answer varies on; the runtime decodes bodies, so Accept-Encoding never matters. */
function variedHeaders(vary: string | null, request: Request): [string, string | null][] {
  if (!vary) return [];
  return vary
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name && name !== "accept-encoding")
    .map((name) => [name, request.headers.get(name)]);
}
