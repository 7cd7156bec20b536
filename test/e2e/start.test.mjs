// `npm start` as a newcomer meets it: a taken port names the variable to set, and a bad setting is named
// before "ready" without wrangler's binding list or colour codes. Run: node --test test/e2e/start.test.mjs
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { describe, it } from "node:test";
import { freePorts } from "../../scripts/lib/processes.mjs";
import { projectRoot } from "../../scripts/lib/paths.mjs";

/** Runs scripts/start.mjs until `until(output)` holds or it exits; the whole process group is stopped after. */
async function npmStart(args, env, until, timeoutMs = 90_000) {
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
  if (code === null) {
    process.kill(-child.pid, "SIGTERM");
    const timer = setTimeout(() => process.kill(-child.pid, "SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  }
  return { output, code };
}

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
});
