/**
 * A local stand-in for the few Stripe endpoints stayopen calls, run in Node by
 * vitest's globalSetup. Each API key is its own account, so tests never see
 * each other's sessions. Like Stripe it honours Idempotency-Key (same key and
 * parameters → the same session; other parameters → 400) and it records
 * every call. It can be told to create a session and then drop the
 * connection, the way a response gets lost on the wire.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

type Session = {
  id: string;
  object: "checkout.session";
  url: string;
  client_reference_id: string | null;
  customer_email: string | null;
  metadata: Record<string, string>;
  amount_total: number;
  currency: string | null;
  payment_status: "unpaid";
  status: "open";
  success_url: string | null;
  cancel_url: string | null;
};
type Call = { method: string; path: string; idempotencyKey: string | null; form: Record<string, string>; at: number };
type Fault = { mode: "drop-after-create" | "status"; status?: number; times: number };
type Account = {
  calls: Call[];
  sessions: Session[];
  byIdempotencyKey: Map<string, { body: string; session: Session }>;
  faults: Fault[];
};

export async function startFakeStripe(): Promise<{ url: string; stop: () => Promise<void> }> {
  const accounts = new Map<string, Account>();
  const account = (key: string) => {
    let found = accounts.get(key);
    if (!found) accounts.set(key, (found = { calls: [], sessions: [], byIdempotencyKey: new Map(), faults: [] }));
    return found;
  };
  let base = "";
  let nextSession = 1;

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://stripe.test");
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) =>
      res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(payload));

    const control = /^\/__control\/accounts\/([^/]+)(?:\/(faults))?$/.exec(url.pathname);
    if (control) {
      const target = account(decodeURIComponent(control[1]!));
      if (req.method === "POST" && control[2] === "faults") {
        target.faults.push(JSON.parse(body) as Fault);
        return send(200, { ok: true });
      }
      return send(200, { calls: target.calls, sessions: target.sessions });
    }

    if (req.method === "POST" && url.pathname === "/v1/checkout/sessions") {
      const key = /^Bearer\s+(\S+)$/.exec(req.headers.authorization ?? "")?.[1];
      if (!key)
        return send(401, { error: { type: "invalid_request_error", message: "You did not provide an API key." } });
      const target = account(key);
      const form = Object.fromEntries(new URLSearchParams(body));
      const idempotencyKey = typeof req.headers["idempotency-key"] === "string" ? req.headers["idempotency-key"] : null;
      target.calls.push({ method: "POST", path: url.pathname, idempotencyKey, form, at: Date.now() });

      const fault = target.faults[0];
      if (fault?.mode === "status") {
        if (--fault.times <= 0) target.faults.shift();
        return send(fault.status ?? 500, { error: { type: "api_error", message: "Injected failure." } });
      }

      const seen = idempotencyKey ? target.byIdempotencyKey.get(idempotencyKey) : undefined;
      if (seen && seen.body !== body) {
        return send(400, {
          error: {
            type: "idempotency_error",
            message:
              "Keys for idempotent requests can only be used with the same parameters they were first used with.",
          },
        });
      }
      let session = seen?.session;
      if (!session) {
        const id = `cs_test_${String(nextSession++).padStart(6, "0")}`;
        let amount = 0;
        for (let i = 0; form[`line_items[${i}][quantity]`] !== undefined; i++) {
          amount +=
            Number(form[`line_items[${i}][quantity]`]) * Number(form[`line_items[${i}][price_data][unit_amount]`]);
        }
        const metadata = Object.fromEntries(
          Object.entries(form).flatMap(([name, value]) => {
            const match = /^metadata\[([^\]]+)\]$/.exec(name);
            return match ? [[match[1]!, value]] : [];
          }),
        );
        session = {
          id,
          object: "checkout.session",
          url: `${base}/pay/${id}`,
          client_reference_id: form.client_reference_id ?? null,
          customer_email: form.customer_email ?? null,
          metadata,
          amount_total: amount,
          currency: form["line_items[0][price_data][currency]"] ?? null,
          payment_status: "unpaid",
          status: "open",
          success_url: form.success_url ?? null,
          cancel_url: form.cancel_url ?? null,
        };
        target.sessions.push(session);
        if (idempotencyKey) target.byIdempotencyKey.set(idempotencyKey, { body, session });
      }
      if (fault?.mode === "drop-after-create") {
        if (--fault.times <= 0) target.faults.shift();
        return void req.socket.destroy();
      }
      return send(200, session, seen ? { "idempotent-replayed": "true" } : {});
    }
    return send(404, {
      error: { type: "invalid_request_error", message: `Unrecognized request URL (${req.method}: ${url.pathname}).` },
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
