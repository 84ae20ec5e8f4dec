/**
 * Differential test (issue #12 §2): the verifier checks signatures on node:crypto and claims
 * with its own code; jose's `jwtVerify` is the oracle. Random valid, tampered, expired,
 * wrong-issuer, wrong-audience, wrong-`typ` and malformed tokens must get the same answer
 * from both. The oracle is our structural inspector + kid lookup + jose + principal mapping,
 * i.e. the pipeline before the rewrite; anything ours accepts, plain jose must accept too.
 */
import fc from "fast-check";
import { type JWK, jwtVerify } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { createCompactJwsInspector } from "../lib/compact-jws";
import { generateJwk, importKeySet, type KeySet } from "./key-set";
import { defaultPrincipal } from "./principal-from-claims";
import { b64url, forge } from "./testing";
import { createJwtVerifier } from "./verifier";

// Mid-second on purpose: both sides must floor the clock the same way.
const NOW = Date.UTC(2030, 0, 1) + 700;
const NOW_S = Math.floor(NOW / 1000);
const ISSUER = "https://issuer.test";
const ALGS = ["ES256", "EdDSA", "RS256"] as const;

interface Config {
  audience: string | string[] | null;
  typ: string | undefined;
  clockTolerance: number;
}
const CONFIGS: Config[] = [
  { audience: "api", typ: "at+jwt", clockTolerance: 5 },
  { audience: ["other", "api"], typ: undefined, clockTolerance: 0 },
  { audience: null, typ: "application/at+jwt", clockTolerance: 30 },
];

let keySet: KeySet;
const signers = new Map<string, JWK>(); // by alg: a key in the set
const strangers = new Map<string, JWK>(); // by alg: an attacker's key, same alg, not in the set

beforeAll(async () => {
  for (const alg of ALGS) {
    signers.set(alg, await generateJwk(alg));
    strangers.set(alg, await generateJwk(alg));
  }
  keySet = await importKeySet({ keys: [...signers.values()] });
});

/** The oracle: our structural checks and kid rules, jose for signature and claims, then our principal mapping. */
async function joseAnswer(token: string, config: Config): Promise<boolean> {
  const inspect = createCompactJwsInspector({ maxLength: 16_384, algorithms: new Set(ALGS) });
  try {
    const { header } = inspect(token);
    const key = keySet.get(header.kid);
    if (!key || key.alg !== header.alg) return false;
    const { payload } = await jwtVerify(token, key.verificationKey, joseOptions(config));
    defaultPrincipal(payload); // refuses an empty sub or malformed scopes
    return true;
  } catch {
    return false;
  }
}

/** Plain jose with the key the `kid` names, no structural checks of ours. */
async function plainJoseAccepts(token: string, config: Config): Promise<boolean> {
  try {
    const kid = JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString()).kid;
    const key = keySet.get(kid);
    if (!key) return false;
    await jwtVerify(token, key.verificationKey, joseOptions(config));
    return true;
  } catch {
    return false;
  }
}

function joseOptions(config: Config) {
  return {
    algorithms: [...ALGS],
    issuer: ISSUER,
    ...(config.audience === null ? {} : { audience: config.audience }),
    clockTolerance: config.clockTolerance,
    requiredClaims: ["exp", "sub"],
    ...(config.typ === undefined ? {} : { typ: config.typ }),
    currentDate: new Date(NOW),
  };
}

async function ourAnswer(token: string, config: Config): Promise<boolean> {
  const verifier = createJwtVerifier({
    keySet,
    algorithms: [...ALGS],
    issuer: ISSUER,
    ...config,
    now: () => NOW,
    cache: false,
  });
  return verifier.verify(token).then(
    () => true,
    () => false,
  );
}

const absent = Symbol("absent");
/** Mostly the honest value, sometimes one of the wrong ones: each token is wrong in few ways, so both answers occur. */
const mostly = <T>(honest: T, ...wrong: fc.Arbitrary<unknown>[]) =>
  fc.oneof(
    { arbitrary: fc.constant<unknown>(honest), weight: 5 },
    ...wrong.map((arbitrary) => ({ arbitrary, weight: 1 })),
  );
// Every configured tolerance's edges, whole and fractional: where `<` vs `<=` and the clock's floor show.
const EDGES = [0, 5, 30].flatMap((t) => [-t, t]).flatMap((d) => [d - 1, d - 0.5, d, d + 0.5, d + 1]);
const near = (centre: number) =>
  fc.oneof(
    fc.constantFrom(...EDGES.map((d) => centre + d)),
    fc.integer({ min: -40, max: 40 }).map((d) => centre + d),
  );

const claimsArb = fc.record({
  iss: mostly(ISSUER, fc.constantFrom(`${ISSUER}/`, "https://evil.test", 1, [ISSUER], absent)),
  aud: mostly("api", fc.constantFrom("other", ["api"], ["x", "api"], [], ["x"], 7, "API", absent)),
  sub: mostly("alice", fc.constantFrom("", 5, absent)),
  exp: mostly(NOW_S + 600, near(NOW_S), near(NOW_S), fc.constantFrom("soon", null, absent)),
  nbf: mostly(absent, near(NOW_S), near(NOW_S), fc.constantFrom("now", null)),
  iat: mostly(NOW_S, fc.constantFrom("x", null, absent, NOW_S + 3600)),
  scope: mostly("notes:read", fc.constantFrom("notes:read notes:write", absent)),
});

const tokenArb = fc
  .record({
    alg: fc.constantFrom(...ALGS),
    headerAlg: mostly(null, fc.constantFrom(...ALGS)), // null: the signing alg
    kid: mostly("own", fc.constantFrom("other-alg", "unknown")),
    typ: mostly("at+jwt", fc.constantFrom("AT+JWT", "application/at+jwt", "jwt", "application/jwt", "at+jwt ", absent)),
    signer: mostly("own", fc.constant("stranger")),
    claims: claimsArb,
    tamper: fc.oneof(
      { arbitrary: fc.constant("none"), weight: 3 },
      { arbitrary: fc.constantFrom("payload", "signature", "swap", "truncate", "insert", "bits", "suffix"), weight: 1 },
    ),
    at: fc.nat(),
    char: fc.constantFrom("A", "_", "-", "=", " ", ".", "!", "+", "/", "é"),
  })
  .map((t) => {
    const signerJwk = (t.signer === "own" ? signers : strangers).get(t.alg) as JWK;
    const kid =
      t.kid === "own"
        ? (signers.get(t.alg)?.kid as string)
        : t.kid === "other-alg"
          ? (signers.get(ALGS.find((a) => a !== t.alg) as string)?.kid as string)
          : "unknown-kid";
    const header: Record<string, unknown> = { alg: (t.headerAlg as string | null) ?? t.alg, kid };
    if (t.typ !== absent) header.typ = t.typ;
    const claims = Object.fromEntries(Object.entries(t.claims).filter(([, v]) => v !== absent));
    const token = forge(header, claims, { jwk: signerJwk });
    return tamper(token, t.tamper as string, t.at, t.char);
  });

function tamper(token: string, how: string, at: number, char: string): string {
  const [h = "", p = "", s = ""] = token.split(".");
  const flip = (segment: string) => {
    const i = at % segment.length;
    const replacement = segment[i] === "A" ? "B" : "A";
    return segment.slice(0, i) + replacement + segment.slice(i + 1);
  };
  switch (how) {
    case "payload":
      return `${h}.${flip(p)}.${s}`;
    case "signature":
      return `${h}.${p}.${flip(s)}`;
    case "swap":
      return `${h}.${b64url(JSON.stringify({ iss: ISSUER, aud: "api", sub: "admin", exp: NOW_S + 60 }))}.${s}`;
    case "truncate":
      return token.slice(0, at % token.length);
    case "suffix": // 1–3 characters after the signature: 4n+1 lengths and stray characters Buffer would skip
      return `${token}${char.repeat(1 + (at % 3))}`;
    case "insert": {
      const i = at % (token.length + 1);
      return token.slice(0, i) + char + token.slice(i);
    }
    case "bits": {
      // The unused low bits of the signature's last character: same bytes, both must still agree.
      const last = s.at(-1) ?? "A";
      const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
      const twin = alphabet[alphabet.indexOf(last) ^ (1 + (at % 3))] ?? "A";
      return `${h}.${p}.${s.slice(0, -1)}${twin}`;
    }
    default:
      return token;
  }
}

describe("verifier vs jose (differential, property)", () => {
  it.each(CONFIGS.map((config) => [JSON.stringify(config), config] as const))(
    "gives jose's answer - random tokens, %s",
    async (_, config) => {
      let accepted = 0;
      let refused = 0;
      await fc.assert(
        fc.asyncProperty(tokenArb, async (token) => {
          const ours = await ourAnswer(token, config);
          expect(ours).toBe(await joseAnswer(token, config));
          if (ours) expect(await plainJoseAccepts(token, config)).toBe(true);
          if (ours) accepted++;
          else refused++;
        }),
        { numRuns: 500 },
      );
      // Both outcomes must actually be exercised, or the test proves nothing.
      expect(accepted).toBeGreaterThan(5);
      expect(refused).toBeGreaterThan(100);
    },
  );

  it("gives jose's answer - arbitrary strings", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 400 }), async (token) => {
        expect(await ourAnswer(token, CONFIGS[0] as Config)).toBe(await joseAnswer(token, CONFIGS[0] as Config));
      }),
      { numRuns: 300 },
    );
  });
});
