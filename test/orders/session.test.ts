import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { openSession, sealSession, sessionCookies, sessionKey } from "../../src/orders/session";
import { isDelivered, orderOriginPerTest, queueOrder, runAlarmsUntil, shardStub, shopOf } from "./helpers";
import { drainNow } from "../../src/orders/queue";

const fixture = orderOriginPerTest();

const SECRET_VALUE = "s3cr3t-session-value-7f2a9c";

describe("session cookies of a queued order", () => {
  it("keeps only SESSION_COOKIES names, matched without regard to case, also across joined headers", () => {
    const names = ["sessionid", "PHPSESSID"];
    expect(sessionCookies("theme=dark; SessionID=abc; cart=1", names)).toBe("SessionID=abc");
    expect(sessionCookies("phpsessid=x=y; theme=dark, sessionid=z", names)).toBe("phpsessid=x=y; sessionid=z");
    expect(sessionCookies("theme=dark", names)).toBeNull();
    expect(sessionCookies(null, names)).toBeNull();
  });

  it("seals a session so that only its key and its own order open it", async () => {
    const key = await sessionKey("replay-secret-0123456789", "salt");
    const sealed = await sealSession(key, "ref-a", `sessionid=${SECRET_VALUE}`);
    expect(sealed).not.toContain(SECRET_VALUE);
    expect(await openSession(key, "ref-a", sealed)).toBe(`sessionid=${SECRET_VALUE}`);
    expect(await openSession(key, "ref-b", sealed)).toBeNull();
    expect(await openSession(await sessionKey("another-secret-0123456789", "salt"), "ref-a", sealed)).toBeNull();
  });

  it("replays the shopper's session as Cookie, stored encrypted and never logged", async () => {
    await fixture.origin().setMode({ mode: "refuse" });
    const logged = [vi.spyOn(console, "log"), vi.spyOn(console, "warn")];
    const { reference } = await queueOrder(fixture.env(), "/orders/session", '{"sku":"A"}', {
      cookie: `theme=dark; SessionID=${SECRET_VALUE}; _ga=GA1.2`,
    });
    const guest = await queueOrder(fixture.env(), "/orders/session", '{"sku":"B"}', { cookie: "theme=dark" });

    const stored = await runInDurableObject(shardStub(fixture.env(), reference), (_instance, state) =>
      state.storage.sql.exec("SELECT * FROM orders WHERE reference = ?", reference).toArray(),
    );
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(SECRET_VALUE);
    expect(stored[0]!.session).toMatch(/^v1\./);

    await fixture.origin().setMode({ mode: "ok" });
    await drainNow(fixture.env(), shopOf(fixture.env()));
    await runAlarmsUntil(fixture.env(), reference, isDelivered);
    await runAlarmsUntil(fixture.env(), guest.reference, isDelivered);
    const lines = logged.flatMap((spy) => spy.mock.calls.map(([line]) => String(line)));
    for (const spy of logged) spy.mockRestore();
    expect(lines.join("\n")).not.toContain(SECRET_VALUE);

    const received = await fixture.origin().requests("/orders/session");
    const replayed = received.filter((request) => request.headers["user-agent"] === "stayopen-replay");
    const mine = replayed.find((request) => request.headers["x-stayopen-reference"] === reference)!;
    expect(mine.headers.cookie).toBe(`SessionID=${SECRET_VALUE}`);
    // An order without a session is a guest order.
    const theirs = replayed.find((request) => request.headers["x-stayopen-reference"] === guest.reference)!;
    expect(theirs.headers.cookie).toBeUndefined();

    // Once delivered, the session is gone from the row.
    const after = await runInDurableObject(shardStub(fixture.env(), reference), (_instance, state) =>
      state.storage.sql.exec("SELECT session FROM orders WHERE reference = ?", reference).one(),
    );
    expect(after.session).toBeNull();
  });
});
