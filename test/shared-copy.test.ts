import { afterEach, describe, expect, it, vi } from "vitest";
import { joinOrRun, LOST_REFRESH_MS, SharedCopy, settledWithin } from "../src/shared-copy";

afterEach(() => vi.restoreAllMocks());

/** A read whose request went away: it never settles in this isolate. */
const abandoned = <T>() => new Promise<T>(() => {});

describe("joining work another request started", () => {
  it("takes the value that comes in time, and gives up on one that never comes or fails", async () => {
    expect(await settledWithin(Promise.resolve("page"), 50)).toEqual({ settled: true, value: "page" });
    expect(await settledWithin(Promise.resolve(null), 50)).toEqual({ settled: true, value: null });
    expect(await settledWithin(Promise.reject(new Error("read failed")), 50)).toEqual({ settled: false });
    const started = Date.now();
    expect(await settledWithin(abandoned(), 50)).toEqual({ settled: false });
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
  });

  it("shares one read among requests that ask at once", async () => {
    const underWay = new Map<string, Promise<string>>();
    let reads = 0;
    const read = async () => {
      reads++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return "page";
    };
    const answers = await Promise.all([1, 2, 3].map(() => joinOrRun(underWay, "/p/1", 1_000, read)));
    expect(answers).toEqual(["page", "page", "page"]);
    expect(reads).toBe(1);
    expect(underWay.size).toBe(0);
  });

  it("reads for itself when the read it joined never finishes (its request was cancelled)", async () => {
    const underWay = new Map<string, Promise<string>>();
    void joinOrRun(underWay, "/p/1", 50, abandoned);
    const answer = await joinOrRun(underWay, "/p/1", 50, async () => "page");
    expect(answer).toBe("page");
    // The abandoned read no longer stands in the way of the next request.
    expect(await joinOrRun(underWay, "/p/1", 50, async () => "newer")).toBe("newer");
  });

  it("reads for itself when the read it joined failed", async () => {
    const underWay = new Map<string, Promise<string>>();
    const failing = joinOrRun(underWay, "/p/1", 50, async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      throw new Error("read failed");
    });
    const answer = joinOrRun(underWay, "/p/1", 50, async () => "page");
    await expect(failing).rejects.toThrow("read failed");
    expect(await answer).toBe("page");
  });

  it("runs by object too (a WeakMap keyed by the page's bytes), and again for itself past a lost run", async () => {
    const finding = new WeakMap<ArrayBuffer, Promise<string>>();
    const page = new ArrayBuffer(8);
    void joinOrRun(finding, page, 50, abandoned);
    expect(await joinOrRun(finding, page, 50, async () => "found")).toBe("found");
  });
});

describe("an isolate's copy of shared state", () => {
  it("does not let a refresh that never settles (its request went away) keep every later refresh away", async () => {
    const copy = new SharedCopy("default");
    const started = Date.now();
    void copy.refresh(abandoned, () => {});
    expect(copy.due(started, 1_000)).toBe(false);
    expect(copy.due(started + LOST_REFRESH_MS - 1, 1_000)).toBe(false);
    vi.spyOn(Date, "now").mockReturnValue(started + LOST_REFRESH_MS);
    expect(copy.due(started + LOST_REFRESH_MS, 1_000)).toBe(true);
    await copy.refresh(
      async () => "shared",
      () => {},
    );
    expect(copy.value).toBe("shared");
  });
});
