/**
 * The signing key set. Production: `AUTH_JWKS` (a private JWKS; the first key signs).
 * Development: generated once into `<data dir>/jwks.json` so `pnpm dev` needs no set-up;
 * the file is created exclusively, so two processes starting at once agree on one set.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { generateJwk, importKeySet, type KeySet, type PrivateJwks } from "@gatehouse/auth/jwt";
import type { Env } from "~/env";

export async function loadKeySet(config: Env): Promise<KeySet> {
  return importKeySet(await loadPrivateJwks(config));
}

/** The private JWKS document the key set is imported from (also the root of `./refresh-token-key`). */
export async function loadPrivateJwks(config: Env): Promise<PrivateJwks> {
  if (config.jwks) return parseJwks(config.jwks, "AUTH_JWKS");
  if (config.production) throw new Error("AUTH_JWKS is required in production");
  const file = path.join(/*turbopackIgnore: true*/ config.dataDir, "jwks.json");
  return parseJwks(await readOrCreate(file), file);
}

async function readOrCreate(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  await mkdir(path.dirname(file), { recursive: true });
  const jwks = JSON.stringify({ keys: [await generateJwk("ES256")] }, null, 2);
  try {
    await writeFile(file, jwks, { flag: "wx", mode: 0o600 });
    return jwks;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return readFile(file, "utf8");
    throw error;
  }
}

function parseJwks(text: string, source: string): PrivateJwks {
  try {
    return JSON.parse(text) as PrivateJwks;
  } catch {
    throw new Error(`${source} is not valid JSON (expected a private JWKS: {"keys":[…]})`);
  }
}
