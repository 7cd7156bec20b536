// A PostgreSQL cluster owned by the storefront suite: Debian's server binaries,
// a data directory under e2e/storefront/.cache, loopback only, on a free port,
// trust authentication (nothing but this machine's loopback reaches it).
// PostgreSQL refuses to run as root: as root the cluster belongs to the
// `postgres` system user and every server command runs as that user.
import { execFile } from "node:child_process";
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePorts } from "../../scripts/lib/processes.mjs";
import { CACHE } from "./paths.mjs";

const run = promisify(execFile);
const DATA = join(CACHE, "pgdata");
const LOG = join(CACHE, "postgres.log");
const COMMAND_TIMEOUT_MS = 60_000;

/** The newest installed server's bin directory (Debian keeps them in /usr/lib/postgresql/<major>/bin). */
function serverBin() {
  const root = "/usr/lib/postgresql";
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((name) => existsSync(join(root, name, "bin/pg_ctl")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (majors.length === 0) {
    throw new Error("no PostgreSQL server found in /usr/lib/postgresql: run `apt-get install -y postgresql`");
  }
  return join(root, majors[0], "bin");
}

const asRoot = process.getuid?.() === 0;

/** Runs a server binary, as the postgres user when this process is root. */
async function server(binary, args) {
  const path = join(serverBin(), binary);
  const [command, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", path, ...args]] : [path, args];
  try {
    return await run(command, argv, { timeout: COMMAND_TIMEOUT_MS });
  } catch (error) {
    throw new Error(`${binary} ${args.join(" ")} failed:\n${error.stdout ?? ""}${error.stderr ?? error.message}`);
  }
}

function ownCache() {
  mkdirSync(CACHE, { recursive: true });
  if (!asRoot) return;
  // The server writes its socket and log here; the directory is the suite's, not the system's.
  const { uid, gid } = postgresUser();
  chownSync(CACHE, uid, gid);
}

function postgresUser() {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((entry) => entry.startsWith("postgres:"));
  if (!line) throw new Error("running as root needs the postgres system user (apt-get install -y postgresql)");
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

async function running() {
  try {
    await server("pg_ctl", ["-D", DATA, "status"]);
    return true;
  } catch {
    return false;
  }
}

/** Creates the cluster once, starts it if it is not running; returns { host, port, user }. */
export async function startPostgres() {
  ownCache();
  if (!existsSync(join(DATA, "PG_VERSION"))) {
    await server("initdb", ["-D", DATA, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]);
  }
  if (!(await running())) {
    const [port] = await freePorts(1);
    await server("pg_ctl", [
      "-D",
      DATA,
      "-l",
      LOG,
      "-w",
      "-t",
      "30",
      "-o",
      `-p ${port} -k ${CACHE} -c listen_addresses=127.0.0.1 -c fsync=off`,
      "start",
    ]);
  }
  // The running server's own record: line 4 of postmaster.pid is its port.
  const port = Number(readFileSync(join(DATA, "postmaster.pid"), "utf8").split("\n")[3]);
  return { host: "127.0.0.1", port, user: "postgres" };
}

export async function stopPostgres() {
  if (existsSync(join(DATA, "PG_VERSION")) && (await running())) {
    await server("pg_ctl", ["-D", DATA, "-m", "fast", "-w", "-t", "30", "stop"]);
  }
}

/** Runs SQL with psql against the suite's cluster; returns the unaligned, tuples-only output. */
export async function psql(db, database, sql) {
  try {
    const { stdout } = await run(
      "psql",
      ["-h", db.host, "-p", String(db.port), "-U", db.user, "-d", database, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql],
      { timeout: COMMAND_TIMEOUT_MS },
    );
    return stdout.trim();
  } catch (error) {
    throw new Error(`psql failed on ${database}: ${sql}\n${error.stderr ?? error.message}`);
  }
}
