// `npm start` as a newcomer meets it: a taken port names the variable to set, and a bad setting is named
// before "ready" without wrangler's binding list or colour codes; `--shops 3` puts three branded demo shops behind
// one worker and one of them can go down alone. Run: node --test test/e2e/start.test.mjs
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { createServer } from "node:net";
import { describe, it } from "node:test";
import { demoShops } from "../../demo/shops.mjs";
import { request } from "../../scripts/lib/http.mjs";
import { resolveLocalhostNames } from "../../scripts/lib/localhost-names.mjs";
import { freePorts, setMode, sleep } from "../../scripts/lib/processes.mjs";
import { projectRoot } from "../../scripts/lib/paths.mjs";

/**
 * Runs scripts/start.mjs until `until(output)` holds or it exits, then `whileRunning(output)` if it still runs;
 * the whole process group is stopped after.
 */
async function npmStart(args, env, until, timeoutMs = 90_000, whileRunning = undefined) {
  const child = spawn(process.execPath, ["scripts/start.mjs", ...args], {
    cwd: projectRoot,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  const exited = new Promise((done) => child.once("exit", (code) => done(code)));
  const finished = new Promise((done) => {
    const timer = setTimeout(done, timeoutMs);
    const onData = (chunk) => {
      output += chunk;
      if (until(output)) {
        clearTimeout(timer);
        done();
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    exited.then(() => {
      clearTimeout(timer);
      done();
    });
  });
  await finished;
  let code = child.exitCode;
  try {
    if (code === null && whileRunning) await whileRunning(output);
  } finally {
    code = child.exitCode;
    if (code === null) {
      process.kill(-child.pid, "SIGTERM");
      const timer = setTimeout(() => process.kill(-child.pid, "SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
  }
  return { output, code };
}

/** True when nothing listens on 127.0.0.1:port. */
function portFree(port) {
  return new Promise((done) => {
    const probe = createServer();
    probe.once("error", () => done(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => done(true)));
  });
}

/** `count` consecutive free ports (--shops puts shop i at DEMO_PORT + 2i), from a bounded number of tries. */
async function freePortRun(count) {
  for (let attempt = 0; attempt < 20; attempt++) {
    const first = 20_000 + Math.floor(Math.random() * 30_000);
    const ports = Array.from({ length: count }, (_, i) => first + i);
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return ports;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

const gitStatus = () => execFileSync("git", ["status", "--porcelain"], { cwd: projectRoot, encoding: "utf8" });
/** The text of the page's <title>, or the status when there is no page. */
const titleOf = (res) => /<title>([^<]*)<\/title>/.exec(res.text)?.[1] ?? `(${res.status}, no title)`;

describe("npm start", () => {
  it("names STAYOPEN_PORT when the worker's port is taken, with no stack trace", async () => {
    const blocker = createServer();
    await new Promise((done) => blocker.listen(0, "127.0.0.1", done));
    const [shopPort, controlPort] = await freePorts(2);
    try {
      const { output, code } = await npmStart(
        [],
        {
          STAYOPEN_PORT: String(blocker.address().port),
          DEMO_PORT: String(shopPort),
          DEMO_CONTROL_PORT: String(controlPort),
        },
        () => false,
        20_000,
      );
      assert.equal(code, 1);
      assert.match(output, new RegExp(`Port ${blocker.address().port} is taken .*set STAYOPEN_PORT to a free port`));
      assert.doesNotMatch(output, /--port|\bat .*\.js:\d+/);
    } finally {
      blocker.close();
    }
  });

  it("names a bad setting before it says ready, without wrangler's chatter or colour codes", async () => {
    const [port] = await freePorts(1);
    const { output } = await npmStart(["--origin", "not-a-url"], { STAYOPEN_PORT: String(port) }, (text) =>
      /Ctrl-C stops everything/.test(text),
    );
    assert.match(
      output,
      /stayopen is running, with configuration problems: http:\/\/127\.0\.0\.1:\d+ {2}in front of not-a-url/,
    );
    assert.match(output, /✘ ORIGIN_URL must be an http\(s\) URL/);
    assert.doesNotMatch(output, /stayopen is ready/);
    assert.doesNotMatch(output, /Your Worker has access|update available|Environment Variable|\[wrangler:info\]/);
    assert.doesNotMatch(output, /\x1b\[/);
  });

  it("--shops 3: three branded shops on one worker; one origin stops, the other two stay live", async () => {
    resolveLocalhostNames();
    const [worker, ...demo] = await freePortRun(7);
    const shops = demoShops.slice(0, 3).map((profile, i) => ({
      profile,
      url: `http://${profile.id}.localhost:${worker}`,
      control: `http://127.0.0.1:${demo[1 + 2 * i]}`,
    }));
    const [alpha, beta, gamma] = shops;
    const before = gitStatus();
    const seen = {};
    const { output } = await npmStart(
      ["--shops", "3"],
      { STAYOPEN_PORT: String(worker), DEMO_PORT: String(demo[0]), DEMO_CONTROL_PORT: String(demo[1]) },
      (text) => /Ctrl-C stops everything/.test(text),
      90_000,
      async () => {
        for (const shop of shops) seen[shop.profile.id] = await request(`${shop.url}/c/tea`);
        await setMode(beta.control, { mode: "down" });
        await sleep(500);
        for (const shop of shops) seen[`${shop.profile.id} after`] = await request(`${shop.url}/c/tea`);
      },
    );
    assert.match(output, /stayopen is ready: 3 shops on one worker/);
    for (const shop of shops)
      assert.match(output, new RegExp(`${shop.url.replace(/\./g, "\\.")} +${shop.profile.name}`), shop.profile.id);
    assert.ok(output.includes(`curl -X POST '${beta.control}/mode?mode=down'   stops beta's origin only`), output);
    assert.match(output, new RegExp(`Platform http://localhost:${worker}/__stayopen/platform +sign in with \\S+`));
    // Only the banner's own problems: the worker's log lines may name leftovers of other runs' persisted state.
    assert.doesNotMatch(output, /with problems|^ {3}✘|\x1b\[/m);

    for (const shop of shops) {
      const res = seen[shop.profile.id];
      assert.equal(res.status, 200, `${shop.url}/c/tea: ${res.status} ${res.error ?? ""}`);
      assert.equal(res.headers.get("x-stayopen-source"), "origin", shop.profile.id);
      assert.ok(titleOf(res).endsWith(` · ${shop.profile.name}`), `${shop.profile.id}: ${titleOf(res)}`);
      assert.ok(res.text.includes(`${shop.profile.productPrefix} First Flush Darjeeling`), shop.profile.id);
      for (const other of shops.filter((o) => o !== shop))
        assert.ok(!res.text.includes(other.profile.name), `${shop.profile.id} shows ${other.profile.name}`);
    }
    for (const shop of [alpha, gamma]) {
      const res = seen[`${shop.profile.id} after`];
      assert.equal(res.status, 200, shop.profile.id);
      assert.equal(res.headers.get("x-stayopen-source"), "origin", `${shop.profile.id} with beta down`);
      assert.ok(titleOf(res).endsWith(` · ${shop.profile.name}`), `${shop.profile.id}: ${titleOf(res)}`);
    }
    const down = seen["beta after"];
    assert.notEqual(down.headers.get("x-stayopen-source"), "origin", "beta's origin is down");
    assert.ok(titleOf(down).endsWith(" · Beta Tea House"), `beta down: ${titleOf(down)}`);
    assert.equal(gitStatus(), before, "npm start -- --shops 3 left files git sees");
  });
});
