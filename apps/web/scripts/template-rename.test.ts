/**
 * `pnpm rename <name>` (scripts/rename.mjs) on a copy of the repository's tracked files: no
 * trace of the old name is left outside LICENSE, every workspace import names a package of the
 * new scope, and the auth package (no workspace dependencies, so it runs in the copy on this
 * checkout's node_modules) still passes its key and token tests and type-checks with the new
 * prefixes. The whole suite after a rename is the script's own last step, not this test's.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error -- a plain .mjs script without types
import { renameRepository, trackedFiles } from "../../../scripts/rename.mjs";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
let copy: string;
let files: string[];

const read = (file: string) => readFileSync(path.join(copy, file), "utf8");

// Needs no database: once, in the PGlite leg (vitest.config.ts leaves scripts/ out of the Postgres leg).
describe("pnpm rename acme-portal", () => {
  beforeAll(() => {
    copy = mkdtempSync(path.join(tmpdir(), "gatehouse-rename-"));
    files = trackedFiles(ROOT);
    for (const file of files) {
      mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
      try {
        cpSync(path.join(ROOT, file), path.join(copy, file));
      } catch {} // deleted in the work tree
    }
    renameRepository(copy, "acme-portal", { files });
  });
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  it("leaves no trace of the old name, scope, cookies or prefixes outside LICENSE", () => {
    const left = files.filter(
      (file) => file !== "LICENSE" && !file.startsWith("scripts/rename") && !file.endsWith("template-rename.test.ts"),
    );
    const traces = left.filter((file) => {
      try {
        return /gatehouse|\bgk_|\bghr_/i.test(read(file));
      } catch {
        return false;
      }
    });
    expect(traces).toEqual([]);
    expect(read("LICENSE")).toContain("Gatehouse contributors");
  });

  it("renames the scope, app name, cookies, client id and key prefixes consistently", () => {
    expect(JSON.parse(read("package.json")).name).toBe("acme-portal");
    expect(JSON.parse(read("apps/web/package.json")).name).toBe("@acme-portal/web");
    expect(read("apps/web/src/components/nav.tsx")).toContain("Acme Portal");
    expect(read("apps/web/src/server/session-cookies.ts")).toContain("acme_portal_session");
    expect(read("apps/web/src/server/first-party-client.ts")).toContain('"acme-portal"');
    expect(read("packages/auth/src/api-key.ts")).toContain('API_KEY_PREFIX = "apk_"');
    expect(read("packages/auth/src/refresh-token.ts")).toContain('REFRESH_TOKEN_PREFIX = "apr_"');
    expect(read("apps/web/src/env.ts")).toContain("ACME_PORTAL_DATA_DIR");
  });

  it("every workspace import names a package of the new scope", () => {
    const packages = new Map<string, string[]>();
    for (const manifest of files.filter((file) => file.endsWith("package.json"))) {
      const json = JSON.parse(read(manifest));
      packages.set(
        json.name,
        Object.keys(json.exports ?? {}).map((key) => key.replace(/^\./, "")),
      );
    }
    for (const file of files.filter((name) => /\.(ts|tsx|mjs)$/.test(name))) {
      for (const [, name, subpath = ""] of read(file).matchAll(/from "(@acme-portal\/[a-z-]+)(\/[a-z/-]+)?"/g)) {
        expect(packages.get(name ?? ""), `${file} imports ${name}${subpath}`).toContain(subpath);
      }
    }
  });

  it("the renamed auth package type-checks and mints and parses keys and tokens with the new prefixes", () => {
    for (const dir of ["node_modules", "packages/auth/node_modules"])
      symlinkSync(path.join(ROOT, dir), path.join(copy, dir));
    const auth = path.join(copy, "packages/auth");
    const bin = (name: string) => path.join(ROOT, "packages/auth/node_modules/.bin", name);
    execFileSync(bin("tsc"), ["-p", "tsconfig.json", "--noEmit"], { cwd: auth, stdio: "pipe" });
    execFileSync(bin("vitest"), ["run", "src/api-key.test.ts", "src/refresh-token.test.ts"], {
      cwd: auth,
      stdio: "pipe",
    });
  });
});
