import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

export class DataDirInUseError extends Error {
  readonly code = "ERR_DATA_DIR_IN_USE";
  constructor(dataDir: string, pid: number) {
    super(
      `The embedded database in ${dataDir} is open in another process (pid ${pid}) that does not serve it. ` +
        "PGlite allows one process per folder; stop that process, open it with `serve: true` (the development " +
        "server does; a production one never serves it), or set DATABASE_URL to use a Postgres server.",
    );
  }
}

export interface DataDirLock {
  /** Records where and how the owner serves the database, for other processes to connect. */
  advertise(served: { port: number; password: string }): void;
  release(): void;
}

export interface DataDirOwner {
  pid: number;
  /** Where the owner serves the database; absent when it does not serve. */
  served: { port: number; password: string } | undefined;
}

/**
 * Takes `<dataDir>.lock` (beside the folder, so PGlite's own files stay untouched). The file
 * holds the owner's pid and, once it serves the database, the port and the password of its
 * socket server on the next two lines; so it is created 0600 (the owner's user only), and
 * the folder is made 0700. A lock left by a process that no longer runs is taken over.
 */
export function acquireDataDirLock(dataDir: string): DataDirLock {
  const lockPath = lockPathOf(dataDir);
  mkdirSync(path.dirname(lockPath), { recursive: true, mode: 0o700 });
  // The lock appears with its pid already in it (written beside, then hard-linked into place,
  // which fails if a lock exists): another opener never sees an empty lock and takes it as stale.
  const staged = writeStaged(lockPath, `${process.pid}\n`);
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        linkSync(staged, lockPath);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        const owner = readLockFile(lockPath);
        if (owner) throw new DataDirInUseError(dataDir, owner.pid);
        rmSync(lockPath, { force: true });
        continue;
      }
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off("exit", release);
        rmSync(lockPath, { force: true });
      };
      process.on("exit", release);
      return {
        advertise({ port, password }) {
          if (released) return;
          // Write beside, then rename over: the lock never disappears, and a reader sees
          // either the pid alone or all three lines, never half of them.
          renameSync(writeStaged(lockPath, `${process.pid}\n${port}\n${password}\n`), lockPath);
        },
        release,
      };
    }
  } finally {
    rmSync(staged, { force: true });
  }
  throw new Error(`Could not lock ${lockPath}`);
}

/** `<lock>.<pid>.tmp`, 0600, created fresh (`wx`: never a file someone else left, whose mode we did not choose). */
function writeStaged(lockPath: string, text: string): string {
  const staged = `${lockPath}.${process.pid}.tmp`;
  rmSync(staged, { force: true });
  writeFileSync(staged, text, { mode: 0o600, flag: "wx" });
  return staged;
}

/** The live process that holds the folder's lock, if any (a stale lock counts as none). */
export function findDataDirOwner(dataDir: string): DataDirOwner | undefined {
  return readLockFile(lockPathOf(dataDir));
}

function lockPathOf(dataDir: string): string {
  return `${path.resolve(/*turbopackIgnore: true*/ dataDir)}.lock`;
}

function readLockFile(lockPath: string): DataDirOwner | undefined {
  let text: string;
  try {
    text = readFileSync(lockPath, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const [pidLine, portLine, password] = text.split("\n");
  const pid = Number.parseInt(pidLine ?? "", 10);
  if (!Number.isInteger(pid) || !isAlive(pid)) return undefined;
  const port = Number.parseInt(portLine ?? "", 10);
  const served = Number.isInteger(port) && port > 0 && port < 65_536 && password ? { port, password } : undefined;
  return { pid, served };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
