import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { acquireDataDirLock, DataDirInUseError, findDataDirOwner } from "./data-dir-lock";

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const child of children) child.kill();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function folder() {
  const dir = await mkdtemp(path.join(tmpdir(), "gatehouse-lock-"));
  dirs.push(dir);
  const dataDir = path.join(dir, "pglite");
  return { dir, dataDir, lockPath: `${dataDir}.lock` };
}

/** Another process, alive until killed: the owner a second opener would meet. */
async function otherProcess(): Promise<ChildProcess & { pid: number }> {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  children.push(child);
  await once(child, "spawn");
  if (child.pid === undefined) throw new Error("no pid");
  return child as ChildProcess & { pid: number };
}

describe("acquireDataDirLock", () => {
  it("refuses a second opener in another process's folder, naming the owner's pid", async () => {
    const { dataDir, lockPath } = await folder();
    const owner = await otherProcess();
    await writeFile(lockPath, `${owner.pid}\n`);
    let refusal: unknown;
    try {
      acquireDataDirLock(dataDir);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(DataDirInUseError);
    expect(refusal).toMatchObject({ code: "ERR_DATA_DIR_IN_USE" });
    expect((refusal as Error).message).toContain(`(pid ${owner.pid})`);
    expect((refusal as Error).message).toContain(dataDir);
    // The owner's lock is left as it was.
    expect(await readFile(lockPath, "utf8")).toBe(`${owner.pid}\n`);
  });

  it("refuses a second opener in this process too, naming this pid", async () => {
    const { dataDir } = await folder();
    const lock = acquireDataDirLock(dataDir);
    expect(() => acquireDataDirLock(dataDir)).toThrow(`(pid ${process.pid})`);
    lock.release();
  });

  it("takes over a lock whose owner died - its port and password are not believed", async () => {
    const { dir, dataDir, lockPath } = await folder();
    const dead = await otherProcess();
    dead.kill("SIGKILL"); // No exit handler runs: the lock stays behind, as after a crash.
    await once(dead, "exit");
    await writeFile(lockPath, `${dead.pid}\n45432\nleaked-password\n`);
    expect(findDataDirOwner(dataDir)).toBeUndefined();
    const lock = acquireDataDirLock(dataDir);
    expect(await readFile(lockPath, "utf8")).toBe(`${process.pid}\n`);
    expect(findDataDirOwner(dataDir)).toEqual({ pid: process.pid, served: undefined });
    expect((await stat(lockPath)).mode & 0o777).toBe(0o600);
    lock.advertise({ port: 45433, password: "fresh" });
    expect(findDataDirOwner(dataDir)).toEqual({ pid: process.pid, served: { port: 45433, password: "fresh" } });
    lock.release();
    expect(findDataDirOwner(dataDir)).toBeUndefined();
    expect(await readdir(dir)).toEqual([]); // No lock, no staged file left behind.
  });

  it("takes over a lock that names no process", async () => {
    const { dataDir, lockPath } = await folder();
    await writeFile(lockPath, "not a pid\n");
    const lock = acquireDataDirLock(dataDir);
    expect(findDataDirOwner(dataDir)?.pid).toBe(process.pid);
    lock.release();
  });
});
