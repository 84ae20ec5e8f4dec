/**
 * What verifying one access token costs, side by side in one run, for HS256, ES256, EdDSA, RS256:
 * - raw jose: `jwtVerify` with a pre-imported CryptoKey and the same claim checks (WebCrypto, async);
 * - fast-jwt: `createVerifier` with the public key, cache off, the same claim checks (node:crypto, sync);
 * - ours, uncached: `createJwtVerifier({ cache: false })`: structural checks + node:crypto + claims + principal;
 * - ours, cached: the same token again, answered by the verified-token cache;
 * - ours, cached + revoked set: the same, also asking a `RevocationList` of 4 000 entries (none matching);
 * - floor: node:crypto directly (HMAC-SHA256 + timingSafeEqual; `crypto.verify` on a KeyObject), no parsing.
 * Each op gets a freshly concatenated token string, as a request's header would give, so the
 * cache pays for hashing the string. Rounds are interleaved in random order; per-op medians
 * of CPU time (process-wide, so WebCrypto's thread-pool work counts) and wall time are kept,
 * and each ratio is the median of per-round ratios (min–max beside it).
 * Run alone: `pnpm bench jwt`.
 */
import { constants, createHmac, createPublicKey, timingSafeEqual, verify as verifySignature } from "node:crypto";
import { createJwtIssuer, createJwtVerifier, generateJwk, importKeySet, type JwtAlgorithm } from "@gatehouse/auth/jwt";
import { RevocationList } from "@gatehouse/auth/revocation-list";
import { createVerifier } from "fast-jwt";
import { jwtVerify } from "jose";
import type { BenchResult } from "./run";
import { median, pairedMedianRatio } from "./stats";

const ROUNDS = 61;
const SLOT_MS = 6;
const ISSUER = "https://bench.gatehouse.test";
const ALGS: readonly JwtAlgorithm[] = ["HS256", "ES256", "EdDSA", "RS256"];
/** Issue #12 §2: uncached ES256 and EdDSA within 1.15× of the node:crypto floor. */
const FLOOR_TARGET = 1.15;

interface Variant {
  name: string;
  op: (token: string) => unknown;
  ops: number;
  cpu: number[];
  wall: number[];
}

const variant = (name: string, op: (token: string) => unknown): Variant => ({ name, op, ops: 0, cpu: [], wall: [] });

function floorFor(alg: JwtAlgorithm, jwk: import("jose").JWK, publicJwk: import("jose").JWK | undefined) {
  if (alg === "HS256") {
    const secret = Buffer.from(jwk.k as string, "base64url");
    return (token: string) => {
      const dot = token.lastIndexOf(".");
      const mac = createHmac("sha256", secret).update(token.slice(0, dot)).digest();
      const signature = Buffer.from(token.slice(dot + 1), "base64url");
      return signature.length === mac.length && timingSafeEqual(mac, signature);
    };
  }
  const key = createPublicKey({ key: publicJwk as import("node:crypto").JsonWebKey, format: "jwk" });
  const digest = alg === "EdDSA" ? null : "sha256";
  const options =
    alg === "ES256"
      ? { key, dsaEncoding: "ieee-p1363" as const }
      : alg === "RS256"
        ? { key, padding: constants.RSA_PKCS1_PADDING }
        : key;
  return (token: string) => {
    const dot = token.lastIndexOf(".");
    const signature = Buffer.from(token.slice(dot + 1), "base64url");
    return verifySignature(digest, Buffer.from(token.slice(0, dot)), options, signature);
  };
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
  const common = { keySet, algorithms: [alg], issuer: ISSUER, audience: "api", typ: "at+jwt" } as const;
  const uncached = createJwtVerifier({ ...common, cache: false });
  const cached = createJwtVerifier(common);
  await cached.verify(access_token);
  // A busy instance's list: other sign-ins, keys, users and single tokens revoked within the last token lifetime.
  const revocations = new RevocationList();
  for (let i = 0; i < 1000; i++) {
    for (const kind of ["family", "key", "user", "token"] as const) {
      revocations.add({ kind, subject: `${kind}-revoked-${i}`, revokedAt: Date.now() });
    }
  }
  const checked = createJwtVerifier({ ...common, revocations });
  await checked.verify(access_token);
  const joseOptions = {
    algorithms: [alg],
    issuer: ISSUER,
    audience: "api",
    typ: "at+jwt",
    clockTolerance: 5,
    requiredClaims: ["exp", "sub"],
  };
  const key = keySet.current.verificationKey;
  const fastJwtKey =
    alg === "HS256"
      ? Buffer.from(jwk.k as string, "base64url")
      : createPublicKey({ key: keySet.current.publicJwk as import("node:crypto").JsonWebKey, format: "jwk" })
          .export({ type: "spki", format: "pem" })
          .toString();
  const fastJwt = createVerifier({
    key: fastJwtKey,
    algorithms: [alg === "EdDSA" ? "EdDSA" : alg],
    allowedIss: ISSUER,
    allowedAud: "api",
    requiredClaims: ["exp", "sub"],
    clockTolerance: 5000,
    cache: false,
  });
  const floor = floorFor(alg, jwk, keySet.current.publicJwk);

  const variants: Variant[] = [
    variant("raw jose.jwtVerify", (t) => jwtVerify(t, key, joseOptions)),
    variant("fast-jwt, uncached", (t) => fastJwt(t)),
    variant("ours, uncached", (t) => uncached.verify(t)),
    variant("ours, cached", (t) => cached.verify(t)),
    variant(`node:crypto floor (${alg === "HS256" ? "HMAC" : "crypto.verify"})`, floor),
    variant("ours, cached + revoked set", (t) => checked.verify(t)),
  ];
  if (
    (await uncached.verify(access_token)).subject !== "user-1" ||
    !(await floor(access_token)) ||
    (fastJwt(access_token) as { sub?: string }).sub !== "user-1"
  ) {
    throw new Error(`bench setup: a ${alg} variant does not verify the token`);
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
  const suites = await Promise.all(ALGS.map(async (alg) => ({ alg, ...(await variantsFor(alg)) })));
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

  // Op by op, ours (uncached) against the floor: per-op medians shrug off load spikes.
  const pairedRatios = new Map<string, number>();
  for (const { alg, head, tail, variants } of suites) {
    const [, , uncached, , floor] = variants as Variant[] as [Variant, Variant, Variant, Variant, Variant];
    pairedRatios.set(
      alg,
      await pairedMedianRatio(
        () => floor.op(head + tail),
        () => uncached.op(head + tail),
        3000,
      ),
    );
  }

  const rows: string[] = [];
  const summary: string[] = [];
  for (const { alg, variants } of suites) {
    const [jose, fastJwt, uncached, cached, floor, checked] = variants as [
      Variant,
      Variant,
      Variant,
      Variant,
      Variant,
      Variant,
    ];
    const perRound = (a: Variant, b: Variant, m: "cpu" | "wall") => a[m].map((v, i) => v / (b[m][i] as number));
    const ratio = (a: Variant, b: Variant, m: "cpu" | "wall") => median(perRound(a, b, m));
    const spread = (a: Variant, b: Variant, m: "cpu" | "wall") => {
      const values = perRound(a, b, m);
      return `${fmt(median(values))}× (${fmt(Math.min(...values))}–${fmt(Math.max(...values))})`;
    };
    for (const v of variants) {
      rows.push(
        `| ${alg} | ${v.name} | ${fmt(median(v.cpu))} | ${fmt(median(v.wall))} | ${spread(v, floor, "cpu")} | ${fmt(ratio(v, jose, "cpu"))}× |`,
      );
    }
    const toFloor = ratio(uncached, floor, "cpu");
    const paired = pairedRatios.get(alg) as number;
    const graded = alg === "ES256" || alg === "EdDSA";
    summary.push(
      `- ${alg}: uncached / floor = ${toFloor.toFixed(2)}× CPU (${ratio(uncached, floor, "wall").toFixed(2)}× wall), paired per-op ${paired.toFixed(3)}×` +
        (graded
          ? ` — target ≤ ${FLOOR_TARGET}× ${toFloor <= FLOOR_TARGET && paired <= FLOOR_TARGET ? "✓" : "✗"}`
          : "") +
        `; uncached / raw jose = ${ratio(uncached, jose, "cpu").toFixed(2)}×; fast-jwt / floor = ${ratio(fastJwt, floor, "cpu").toFixed(2)}×; ` +
        `cached = ${fmt(median(cached.cpu))} µs; revoked-set check on a cached verify = ${fmt(median(checked.cpu.map((v, i) => v - (cached.cpu[i] as number))))} µs CPU.`,
    );
  }
  const table = [
    "| alg | variant | CPU µs/op | wall µs/op | × floor (CPU, median (min–max) of rounds) | × raw jose (CPU) |",
    "| --- | --- | ---: | ---: | ---: | ---: |",
    ...rows,
  ].join("\n");
  const notes = [
    `${ROUNDS} interleaved rounds of ~${SLOT_MS} ms per variant; medians. Targets: uncached ES256 and EdDSA ≤ ${FLOOR_TARGET}× the node:crypto floor (per-round and paired per-op), cached within 3× of the HMAC floor, revoked-set check ≤ 0.3 µs.`,
    ...summary,
  ].join("\n");
  return { title: "JWT verify: ours (uncached, cached) vs node:crypto floor, raw jose and fast-jwt", table, notes };
}
