// `pnpm rename <name> [--key-prefix <letters>] [--no-test]`: makes the template yours.
// Rewrites, in every file git tracks (LICENSE excepted: MIT requires its notice be kept):
//   the package scope        @gatehouse/…        → @<name>/…        (lockfile included)
//   the app name             Gatehouse           → <Name Words>
//   names, cookies, client   gatehouse, gatehouse_session, gatehouseDb → <name>, <name_snake>_session, <nameCamel>Db
//   environment variables    GATEHOUSE_…         → <NAME_SNAKE>_…
//   issuer defaults          client_id "gatehouse", demo@gatehouse.dev, application_name
//   token prefixes           gk_ (API keys), ghr_ (refresh tokens) → <p>k_, <p>r_
// The current name is the root package.json's `name` and the current prefixes are read from
// the code, so renaming twice works. Then reinstalls and runs `pnpm test:all` (unless --no-test).
// Existing API keys and refresh tokens keep their old prefix and stop parsing: rename before
// you have users.
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const PREFIX = /^[a-z]{1,4}$/;

const words = (name) => name.split("-");
export const forms = (name) => ({
  kebab: name,
  snake: words(name).join("_"),
  upper: words(name).join("_").toUpperCase(),
  camel: words(name)
    .map((word, i) => (i === 0 ? word : word[0].toUpperCase() + word.slice(1)))
    .join(""),
  title: words(name)
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join(" "),
});

/** Default prefix letters: the initials of the name's words (`acme-portal` → `ap`). */
export const initials = (name) =>
  words(name)
    .map((word) => word[0])
    .join("")
    .slice(0, 4);

/** The text with every form of `from` replaced by that form of `to`, and the token prefixes swapped. */
export function renameText(text, { from, to, keyPrefix, refreshPrefix }) {
  const a = forms(from);
  const b = forms(to);
  const literal = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return (
    text
      .replaceAll(`@${a.kebab}/`, `@${b.kebab}/`)
      .replaceAll(a.upper, b.upper)
      .replaceAll(a.title, b.title)
      // lower-case: snake before `_`, camel before a capital (gatehouseDb), kebab elsewhere.
      .replace(new RegExp(`${literal(a.kebab)}(?=_)`, "g"), b.snake)
      .replace(new RegExp(`${literal(a.camel)}(?=[A-Z])`, "g"), b.camel)
      .replaceAll(a.kebab, b.kebab)
      // Token prefixes, only where a token starts (not inside a word), or after a regex's \b.
      .replace(new RegExp(`(?<![A-Za-z0-9]|\\\\b)${literal(keyPrefix.from)}`, "g"), keyPrefix.to)
      .replace(new RegExp(`(?<![A-Za-z0-9]|\\\\b)${literal(refreshPrefix.from)}`, "g"), refreshPrefix.to)
      .replaceAll(`\\b${keyPrefix.from}`, `\\b${keyPrefix.to}`)
      .replaceAll(`\\b${refreshPrefix.from}`, `\\b${refreshPrefix.to}`)
  );
}

/** The prefixes in force, read from the code that mints them. */
export function currentPrefixes(root) {
  const apiKey = readFileSync(path.join(root, "packages/auth/src/api-key.ts"), "utf8");
  const refresh = readFileSync(path.join(root, "packages/auth/src/refresh-token.ts"), "utf8");
  const key = /export const API_KEY_PREFIX = "([a-z]+_)";/.exec(apiKey)?.[1];
  const refreshPrefix = /const REFRESH_TOKEN_PREFIX = "([a-z]+_)";/.exec(refresh)?.[1];
  if (!key || !refreshPrefix) throw new Error("cannot find API_KEY_PREFIX / REFRESH_TOKEN_PREFIX in packages/auth");
  return { key, refresh: refreshPrefix };
}

/** Rewrites the repository at `root` (`options.files`: its tracked files, default `git ls-files`); returns those it changed. */
export function renameRepository(root, to, options = {}) {
  if (!NAME.test(to)) throw new Error(`name must be lower-case kebab-case (acme-portal), not ${JSON.stringify(to)}`);
  const letters = options.keyPrefix ?? initials(to);
  if (!PREFIX.test(letters)) throw new Error("--key-prefix must be 1-4 lower-case letters");
  const from = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).name;
  if (!NAME.test(from)) throw new Error(`root package.json name ${JSON.stringify(from)} is not kebab-case`);
  const prefixes = currentPrefixes(root);
  const rules = {
    from,
    to,
    keyPrefix: { from: prefixes.key, to: `${letters}k_` },
    refreshPrefix: { from: prefixes.refresh, to: `${letters}r_` },
  };
  const files = options.files ?? trackedFiles(root);
  const changed = [];
  for (const file of files) {
    // LICENSE: MIT requires its notice be kept. The rename script and its test name the template.
    if (file === "LICENSE" || file.startsWith("scripts/rename") || file.endsWith("template-rename.test.ts")) continue;
    const full = path.join(root, file);
    let text;
    try {
      text = readFileSync(full, "utf8");
    } catch {
      continue; // deleted in the work tree
    }
    if (text.includes("\0")) continue; // binary
    const next = renameText(text, rules);
    if (next !== text) {
      writeFileSync(full, next);
      changed.push(file);
    }
  }
  return changed;
}

export function trackedFiles(root) {
  return execFileSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" }).split("\0").filter(Boolean);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values, positionals } = parseArgs({
    options: { "key-prefix": { type: "string" }, "no-test": { type: "boolean" } },
    allowPositionals: true,
  });
  const root = fileURLToPath(new URL("..", import.meta.url));
  if (positionals.length !== 1) {
    console.error("Usage: pnpm rename <name> [--key-prefix <letters>] [--no-test]   (name: lower-case kebab-case)");
    process.exit(2);
  }
  try {
    const changed = renameRepository(root, positionals[0], { keyPrefix: values["key-prefix"] });
    console.log(`Renamed in ${changed.length} files. Reinstalling…`);
  } catch (error) {
    console.error(`error: ${error.message}`);
    process.exit(2);
  }
  const pnpm = (args) =>
    spawnSync(process.execPath, [path.join(root, "scripts/pnpm.mjs"), ...args], { cwd: root, stdio: "inherit" })
      .status ?? 1;
  let status = pnpm(["install", "--offline"]);
  if (status !== 0) status = pnpm(["install"]);
  if (status === 0 && !values["no-test"]) status = pnpm(["run", "test:all"]);
  process.exit(status);
}
