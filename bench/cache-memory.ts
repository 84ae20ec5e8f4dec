/**
 * What a cached credential costs in memory (issue #12 §4): the verified-token cache and the
 * API-key cache filled with N distinct entries, heap measured after a forced GC, divided by N.
 * Each cache is bounded (JWT: `maxEntries`, default 1 000; API keys: `cacheSize`, default
 * 10 000), so the product is the most the process can spend on it.
 * Run alone: `pnpm bench cache`.
 */
import { randomUUID } from "node:crypto";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { generateApiKey } from "@gatehouse/auth/api-key";
import { type ApiKeyVerifier, createApiKeyVerifier, type StoredApiKey } from "@gatehouse/auth/api-key-verifier";
import { createJwtIssuer, createJwtVerifier, generateJwk, importKeySet } from "@gatehouse/auth/jwt";
import type { Verifier } from "@gatehouse/auth/verifier";
import type { BenchResult } from "./run";

const N = 10_000;
const ISSUER = "https://bench.gatehouse.test";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

function heapBytes(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

/**
 * Heap with the filled cache minus heap once it is dropped, per entry: only what the cache
 * itself holds. `keepAlive` (the inputs) stays reachable across both readings.
 */
function retainedBy(drop: () => void, keepAlive: unknown[]): number {
  const filled = heapBytes();
  drop();
  const dropped = heapBytes();
  if (keepAlive.length !== N) throw new Error("inputs lost");
  return (filled - dropped) / N;
}

async function jwtBytesPerEntry(): Promise<number> {
  const keySet = await importKeySet({ keys: [await generateJwk("ES256")] });
  const issuer = createJwtIssuer({ keySet, issuer: ISSUER, audience: "api", clientId: "gatehouse" });
  const tokens: string[] = [];
  for (let i = 0; i < N; i++) {
    tokens.push(
      (await issuer.createAccessToken({ sub: randomUUID(), sid: randomUUID(), scope: "notes:read notes:write" }))
        .access_token,
    );
  }
  const held: { verifier: Verifier | null } = { verifier: null };
  held.verifier = createJwtVerifier({
    keySet,
    algorithms: ["ES256"],
    issuer: ISSUER,
    audience: "api",
    cache: { maxEntries: N },
  });
  // Each verify gets a fresh copy, as from a request's header: the cache keeps it as its key, so it counts.
  for (const token of tokens) await held.verifier.verify(Buffer.from(token).toString());
  return retainedBy(() => {
    held.verifier = null;
  }, tokens);
}

async function apiKeyBytesPerEntry(): Promise<number> {
  const rows = new Map<string, StoredApiKey>();
  const keys: string[] = [];
  for (let i = 0; i < N; i++) {
    const { key, hash } = generateApiKey({ environment: "live" });
    keys.push(key);
    rows.set(hash, {
      id: randomUUID(),
      userId: randomUUID(),
      name: `key ${i}`,
      scopes: ["notes:read"],
      ownerScopes: ["notes:*"],
      ownerDisabled: false,
      expiresAt: null,
      revokedAt: null,
      lastUsedAt: new Date(),
    });
  }
  // The store answers a fresh copy, as a database would; the rows map is not the cache's.
  const held: { verifier: ApiKeyVerifier | null } = { verifier: null };
  held.verifier = createApiKeyVerifier({
    store: { findByHash: async (hash) => structuredClone(rows.get(hash) ?? null) },
    cacheSize: N,
  });
  for (const key of keys) await held.verifier.verify(Buffer.from(key).toString());
  return retainedBy(() => {
    held.verifier = null;
  }, keys);
}

export async function run(): Promise<BenchResult> {
  const jwt = await jwtBytesPerEntry();
  const apiKey = await apiKeyBytesPerEntry();
  const table = [
    "| cache | bytes per entry | default bound | most memory at the bound |",
    "| --- | ---: | ---: | ---: |",
    `| verified JWTs (principal, exp, key) | ${jwt.toFixed(0)} | 1 000 entries | ${((jwt * 1000) / 1024 / 1024).toFixed(1)} MiB |`,
    `| API keys (record, owner scopes) | ${apiKey.toFixed(0)} | 10 000 entries (+ 1 000 refused) | ${((apiKey * 10_000) / 1024 / 1024).toFixed(1)} MiB |`,
  ].join("\n");
  return {
    title: "Cache memory per entry",
    table,
    notes: `${N} distinct entries per cache, heap with the filled cache minus heap once it is dropped (forced GC); each credential passed as a fresh string, as a request gives it (the JWT cache keeps the token itself as its key; the API-key cache keeps its SHA-256). Other caches: validated JWT headers (64, cleared when full), remote JWKS keys (one per kid).`,
  };
}
