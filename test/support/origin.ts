/** Test-side handle on a fake origin (see fake-origin-server.ts), usable from inside workerd. */
import { afterEach, beforeEach, inject } from "vitest";

import type { OriginMode } from "./origin-mode";

export type { OriginMode };

export type RecordedRequest = {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  at: number;
};

export class FakeOrigin {
  constructor(
    readonly id: number,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeOrigin> {
    const response = await fetch(`${inject("originControl")}/origins`, { method: "POST" });
    const { id, url } = (await response.json()) as { id: number; url: string };
    return new FakeOrigin(id, url);
  }

  async setMode(mode: OriginMode): Promise<void> {
    await this.#control("mode", mode);
  }

  /**
   * Serves `body` for `path` (exact path+query, or path) with the given status and headers, after `delayMs`;
   * with `bodyIncludes`, only to requests whose body contains it (others get the default page).
   */
  async route(
    path: string,
    route: {
      status?: number;
      headers?: Record<string, string>;
      body?: string;
      chunks?: number;
      delayMs?: number;
      bodyIncludes?: string;
    },
  ): Promise<void> {
    await this.#control("routes", { path, ...route });
  }

  async requests(path?: string): Promise<RecordedRequest[]> {
    const response = await fetch(`${inject("originControl")}/origins/${this.id}/requests`);
    const { requests } = (await response.json()) as { requests: RecordedRequest[] };
    return path ? requests.filter((request) => request.path === path) : requests;
  }

  async stop(): Promise<void> {
    await fetch(`${inject("originControl")}/origins/${this.id}`, { method: "DELETE" });
  }

  async #control(action: string, body: unknown): Promise<void> {
    const response = await fetch(`${inject("originControl")}/origins/${this.id}/${action}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`fake origin control ${action} failed: ${await response.text()}`);
  }
}

/**
 * A fresh fake origin for every test of the file, handed to `use` (which sets
 * the file's variables from it); stopped after each test.
 *
 * @example let origin: FakeOrigin; originPerTest((started) => (origin = started));
 */
export function originPerTest(
  use: (origin: FakeOrigin) => void,
  stopped: (origin: FakeOrigin) => Promise<void> = (origin) => origin.stop(),
): void {
  let current: FakeOrigin;
  beforeEach(async () => {
    current = await FakeOrigin.start();
    use(current);
  });
  afterEach(() => stopped(current));
}
