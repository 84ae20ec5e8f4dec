/**
 * What verifying one access token costs, side by side in one run, for HS256 and ES256:
 * - raw jose: `jwtVerify` with a pre-imported CryptoKey and the same claim checks;
 * - ours, uncached: `createJwtVerifier({ cache: false })`: structural checks + jose + principal;
 * - ours, cached: the same token again, answered by the verified-token cache;
 * - ours, cached + revoked set: the same, also asking a `RevocationList` of 3 000 entries (none matching);
 * - floor: node:crypto directly (HMAC-SHA256 + timingSafeEqual; ECDSA P-256 verify), no parsing.
 * Each op gets a freshly concatenated token string, as a request's header would give, so the
 * cache pays for hashing the string. Rounds are interleaved in random order; per-op medians
 * of CPU time (process-wide, so WebCrypto's thread-pool work counts) and wall time are kept,
 * and each ratio is the median of per-round ratios.
 * Run alone: `pnpm --filter @gatehouse/bench exec tsx run.ts jwt`.
 */
import { createHmac, createPublicKey, timingSafeEqual, verify as verifySignature } from "node:crypto";
import { createJwtIssuer, createJwtVerifier, generateJwk, importKeySet, type JwtAlgorithm } from "@gatehouse/auth/jwt";
import { RevocationList } from "@gatehouse/auth/revocation-list";
import { jwtVerify } from "jose";
import type { BenchResult } from "./run";
import { median, pairedMedianRatio } from "./stats";

const ROUNDS = 101;
const SLOT_MS = 6;
const ISSUER = "https://bench.gatehouse.test";

interface Variant {
  name: string;
  op: (token: string) => unknown;
  ops: number;
  cpu: number[];
  wall: number[];
}

async function variantsFor(alg: JwtAlgorithm) {
  const jwk = await generateJwk(alg);
  const keySet = await importKeySet({ keys: [jwk] });
  const issuer = createJwtIssuer({ keySet, issuer: ISSUER, audience: "api" });
  const { access_token } = await issuer.createAccessToken({
    sub: "user-1",
    sid: "family-1",
    scope: "notes:read notes:write",
  });
  const common = { keySet, algorithms: [alg], issuer: ISSUER, audience: "api" } as const;
  const uncached = createJwtVerifier({ ...common, cache: false });
  const cached = createJwtVerifier(common);
  await cached.verify(access_token);
  // A busy instance's list: other sign-ins, keys and users revoked within the last token lifetime.
  const revocations = new RevocationList();
  for (let i = 0; i < 1000; i++) {
    for (const kind of ["family", "key", "user"] as const) {
      revocations.add({ kind, subject: `${kind}-revoked-${i}`, revokedAt: Date.now() });
    }
  }
  const checked = createJwtVerifier({ ...common, revocations });
  await checked.verify(access_token);
  const joseOptions = {
    algorithms: [alg],
    issuer: ISSUER,
    audience: "api",
    clockTolerance: 5,
    requiredClaims: ["exp", "sub"],
  };
  const key = keySet.current.verificationKey;

  const floor =
    alg === "HS256"
      ? (() => {
          const secret = Buffer.from(jwk.k as string, "base64url");
          return (token: string) => {
            const dot = token.lastIndexOf(".");
            const mac = createHmac("sha256", secret).update(token.slice(0, dot)).digest();
            const signature = Buffer.from(token.slice(dot + 1), "base64url");
            return signature.length === mac.length && timingSafeEqual(mac, signature);
          };
        })()
      : (() => {
          const publicKey = createPublicKey({
            key: keySet.current.publicJwk as import("node:crypto").JsonWebKey,
            format: "jwk",
          });
          return (token: string) => {
            const dot = token.lastIndexOf(".");
            const signature = Buffer.from(token.slice(dot + 1), "base64url");
            return verifySignature(
              "sha256",
              Buffer.from(token.slice(0, dot)),
              { key: publicKey, dsaEncoding: "ieee-p1363" },
              signature,
            );
          };
        })();

  const variants: Variant[] = [
    { name: "raw jose.jwtVerify", op: (t) => jwtVerify(t, key, joseOptions), ops: 0, cpu: [], wall: [] },
    { name: "ours, uncached", op: (t) => uncached.verify(t), ops: 0, cpu: [], wall: [] },
    { name: "ours, cached", op: (t) => cached.verify(t), ops: 0, cpu: [], wall: [] },
    { name: `node:crypto floor (${alg === "HS256" ? "HMAC" : "ECDSA"})`, op: floor, ops: 0, cpu: [], wall: [] },
    { name: "ours, cached + revoked set", op: (t) => checked.verify(t), ops: 0, cpu: [], wall: [] },
  ];
  if ((await uncached.verify(access_token)).subject !== "user-1" || !(await floor(access_token))) {
    throw new Error("bench setup: a variant does not verify the token");
  }
  const cut = access_token.length >> 1;
  return { head: access_token.slice(0, cut), tail: access_token.slice(cut), variants };
}

async function slot(variant: Variant, head: string, tail: string, ops: number): Promise<{ cpu: number; wall: number }> {
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  for (let i = 0; i < ops; i++) await variant.op(head + tail);
  const wall = ((performance.now() - wall0) * 1000) / ops;
  const used = process.cpuUsage(cpu0);
  return { cpu: (used.user + used.system) / ops, wall };
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

export async function run(): Promise<BenchResult> {
  const suites = await Promise.all(
    (["HS256", "ES256"] as const).map(async (alg) => ({ alg, ...(await variantsFor(alg)) })),
  );
  for (const { head, tail, variants } of suites) {
    for (const variant of variants) {
      await slot(variant, head, tail, 200); // warm-up
      const probe = await slot(variant, head, tail, 200);
      variant.ops = Math.max(50, Math.round((SLOT_MS * 1000) / probe.wall));
    }
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const { head, tail, variants } of suites) {
      // A fresh random order each round: a fixed cycle would always put the same variant after the
      // synchronous floor, on a cold thread pool.
      const order = shuffle([...variants]);
      for (const variant of order) {
        const { cpu, wall } = await slot(variant, head, tail, variant.ops);
        variant.cpu.push(cpu);
        variant.wall.push(wall);
      }
    }
  }

  const pairedRatios = new Map<string, number>();
  for (const { alg, head, tail, variants } of suites) {
    const [jose, uncached] = variants as [Variant, Variant];
    pairedRatios.set(
      alg,
      await pairedMedianRatio(
        () => jose.op(head + tail),
        () => uncached.op(head + tail),
        3000,
      ),
    );
  }

  const rows: string[] = [];
  const summary: string[] = [];
  for (const { alg, variants } of suites) {
    const [jose, uncached, cached, floor, checked] = variants as [Variant, Variant, Variant, Variant, Variant];
    const ratio = (a: Variant, b: Variant, m: "cpu" | "wall") => median(a[m].map((v, i) => v / (b[m][i] as number)));
    for (const v of variants) {
      rows.push(
        `| ${alg} | ${v.name} | ${fmt(median(v.cpu))} | ${fmt(median(v.wall))} | ${fmt(ratio(v, floor, "cpu"))}× | ${fmt(ratio(v, jose, "cpu"))}× |`,
      );
    }
    summary.push(
      `- ${alg}: uncached / raw jose = ${ratio(uncached, jose, "cpu").toFixed(2)}× CPU (${ratio(uncached, jose, "wall").toFixed(2)}× wall); ` +
        `cached / floor = ${ratio(cached, floor, "cpu").toFixed(2)}× CPU (${ratio(cached, floor, "wall").toFixed(2)}× wall); ` +
        `paired per-op latency, uncached / raw jose = ${(pairedRatios.get(alg) as number).toFixed(3)}×; ` +
        `revoked-set check on a cached verify = ${fmt(median(checked.cpu.map((v, i) => v - (cached.cpu[i] as number))))} µs CPU.`,
    );
  }
  const table = [
    "| alg | variant | CPU µs/op | wall µs/op | × floor (CPU) | × raw jose (CPU) |",
    "| --- | --- | ---: | ---: | ---: | ---: |",
    ...rows,
  ].join("\n");
  const notes = [
    `${ROUNDS} interleaved rounds of ~${SLOT_MS} ms per variant; medians. Targets: cached within 3× of the HMAC floor, uncached within 1.1× of raw jose, revoked-set check ≤ 0.3 µs.`,
    ...summary,
  ].join("\n");
  return { title: "JWT verify: raw jose vs ours (uncached, cached) vs node:crypto floor", table, notes };
}
