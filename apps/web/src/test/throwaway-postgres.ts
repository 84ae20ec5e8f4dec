/**
 * A Postgres server of our own, for fault tests that must stop a database: never the shared
 * server. initdb + pg_ctl in a temp folder on a free loopback port, as user `postgres` when
 * we are root (Postgres refuses to run as root). `stop()` kills it, `start()` brings it back
 * on the same port with the same data, `remove()` deletes it.
 */
import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "./free-port";

export interface ThrowawayPostgres {
  url: string;
  stop(): void;
  /** `wait: false` returns as soon as the server is launched, so callers see it starting up (57P03). */
  start(options?: { wait?: boolean }): void;
  remove(): void;
}

function findBinDir(): string {
  const candidates = [
    process.env.PG_BINDIR,
    ...(existsSync("/usr/lib/postgresql")
      ? readdirSync("/usr/lib/postgresql")
          .sort((a, b) => Number(b) - Number(a))
          .map((version) => `/usr/lib/postgresql/${version}/bin`)
      : []),
  ].filter((dir): dir is string => !!dir);
  const found = candidates.find((dir) => existsSync(path.join(dir, "initdb")));
  if (!found) throw new Error("No initdb found: install PostgreSQL server binaries or set PG_BINDIR");
  return found;
}

export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const bin = findBinDir();
  const dir = mkdtempSync(path.join(tmpdir(), "gatehouse-pg-fault-"));
  const asRoot = process.getuid?.() === 0;
  const run = (command: string, args: string[]) => {
    const [file, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, args];
    execFileSync(file, argv, { stdio: "pipe" });
  };
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    chownSync(dir, uid, gid);
  }
  const data = path.join(dir, "data");
  const port = await freePort();
  run(path.join(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"]);
  const pgCtl = path.join(bin, "pg_ctl");
  let running = false;
  const start = ({ wait = true }: { wait?: boolean } = {}) => {
    if (running) return;
    run(pgCtl, [
      "-D",
      data,
      "-l",
      path.join(dir, "log"),
      wait ? "-w" : "-W",
      "-o",
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      "start",
    ]);
    running = true;
  };
  start();
  const stop = () => {
    if (!running) return;
    running = false;
    run(pgCtl, ["-D", data, "-m", "immediate", "-w", "stop"]);
  };
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop,
    start,
    remove() {
      try {
        stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
