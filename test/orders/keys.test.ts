import { describe, expect, it } from "vitest";
import { derivedIdempotencyKey } from "../../src/orders/keys";
import { orderShard, submissionWireKey } from "../../src/orders/queue";
import { orderOriginPerTest, shopOf } from "./helpers";

const fixture = orderOriginPerTest();

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("a browser's double click is one order, also at a healthy origin", () => {
  it("gives the same submission the same key across a minute boundary", async () => {
    const submission = `double-click-${crypto.randomUUID()}`;
    const lastMomentOfAMinute = Math.floor(Date.now() / 60_000) * 60_000 + 59_990;
    const first = await submissionWireKey(fixture.env(), shopOf(fixture.env()), submission, lastMomentOfAMinute);
    const second = await submissionWireKey(fixture.env(), shopOf(fixture.env()), submission, lastMomentOfAMinute + 20);
    // A key made from the minute alone would split the click in two.
    expect(await derivedIdempotencyKey(submission, lastMomentOfAMinute + 20)).not.toBe(first);
    expect(second).toBe(first);
    expect(
      await submissionWireKey(fixture.env(), shopOf(fixture.env()), `other-${submission}`, lastMomentOfAMinute),
    ).not.toBe(first);
  });

  it("forgets a submission once its window has passed: the same basket later is a new order", async () => {
    const shard = orderShard(fixture.env(), "default", 0);
    const key = `submission:${crypto.randomUUID()}`;
    expect(await shard.submissionKey(key, "stayopen-first", 200)).toBe("stayopen-first");
    expect(await shard.submissionKey(key, "stayopen-second", 200)).toBe("stayopen-first");
    await pause(300);
    expect(await shard.submissionKey(key, "stayopen-third", 200)).toBe("stayopen-third");
  });
});
