import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import path from "node:path";

export class DataDirInUseError extends Error {
  readonly code = "ERR_DATA_DIR_IN_USE";
  constructor(dataDir: string, pid: number) {
    super(
      `The embedded database in ${dataDir} is open in another process (pid ${pid}) that does not serve it. ` +
        "PGlite allows one process per folder; stop that process, open it with `serve: true` (the dev server does), " +
        "or set DATABASE_URL to use a Postgres server.",
    );
  }
}

export interface DataDirLock {
  /** Records the loopback port the owner serves the database on, for other processes to connect to. */
  advertisePort(port: number): void;
  release(): void;
}

export interface DataDirOwner {
  pid: number;
  /** Loopback port of the owner's socket server; absent when it does not serve. */
  port: number | undefined;
}

/**
 * Takes `<dataDir>.lock` (beside the folder, so PGlite's own files stay untouched). The file
 * holds the owner's pid and, once it serves the database, a second line with the port.
 * A lock left by a process that no longer runs is taken over.
 */
export function acquireDataDirLock(dataDir: string): DataDirLock {
  const lockPath = lockPathOf(dataDir);
  mkdirSync(path.dirname(lockPath), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off("exit", release);
        rmSync(lockPath, { force: true });
      };
      process.on("exit", release);
      return {
        advertisePort(port) {
          if (released) return;
          // Write beside, then rename over: the lock never disappears, and a reader sees
          // either the pid alone or pid and port, never half a line.
          const next = `${lockPath}.${process.pid}.tmp`;
          writeFileSync(next, `${process.pid}\n${port}\n`);
          renameSync(next, lockPath);
        },
        release,
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = readLockFile(lockPath);
      if (owner) throw new DataDirInUseError(dataDir, owner.pid);
      rmSync(lockPath, { force: true });
    }
  }
  throw new Error(`Could not lock ${lockPath}`);
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
  const [pidLine, portLine] = text.split("\n");
  const pid = Number.parseInt(pidLine ?? "", 10);
  if (!Number.isInteger(pid) || !isAlive(pid)) return undefined;
  const port = Number.parseInt(portLine ?? "", 10);
  return { pid, port: Number.isInteger(port) && port > 0 && port < 65_536 ? port : undefined };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
