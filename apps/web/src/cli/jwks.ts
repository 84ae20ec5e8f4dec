/**
 * `jwks generate` and `jwks rotate --step add|switch|retire`: the private JWKS the app signs
 * with (`AUTH_JWKS`), one line of JSON on stdout, what to do next on stderr.
 *
 * Rotation without downtime is three deploys of AUTH_JWKS, each printed by one step from the
 * value in force (the app signs with the first key and verifies with all of them):
 *   add     [old] → [old, new]   new is published in /.well-known/jwks.json; old still signs.
 *                                Wait until every instance runs it and remote verifiers have
 *                                fetched the JWKS (ours is cached 5 minutes: max-age=300).
 *   switch  [old, new] → [new, old]   new signs; tokens old signed still verify.
 *                                Wait until every instance runs it, plus ACCESS_TOKEN_TTL_SECONDS.
 *   retire  [new, old] → [new]   old tokens have expired; the old key is gone.
 * Each step refuses a key set in the wrong state, so a step run twice or out of order is an
 * error, never a silent mistake.
 */
import { generateJwk, importKeySet, type JwtAlgorithm, type PrivateJwks } from "@gatehouse/auth/jwt";
import { CliError, type Output, UsageError } from "./cli-error";

/** Asymmetric only: an HS256 secret can never be published, so remote verifiers could not rotate with us. */
const ALGORITHMS = ["ES256", "EdDSA", "RS256", "PS256"] as const satisfies readonly JwtAlgorithm[];
export const ROTATION_STEPS = ["add", "switch", "retire"] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

export function parseAlgorithm(value: string | undefined): JwtAlgorithm | undefined {
  if (value === undefined) return undefined;
  if (!(ALGORITHMS as readonly string[]).includes(value))
    throw new UsageError(`--alg must be one of ${ALGORITHMS.join(", ")}`);
  return value as JwtAlgorithm;
}

export function parseStep(value: string | undefined): RotationStep {
  if (!(ROTATION_STEPS as readonly (string | undefined)[]).includes(value)) {
    throw new UsageError(`--step must be one of ${ROTATION_STEPS.join(", ")} (in that order, one deploy each)`);
  }
  return value as RotationStep;
}

export async function jwksGenerate(options: { alg: JwtAlgorithm | undefined }, output: Output): Promise<void> {
  const key = await generateJwk(options.alg ?? "ES256");
  output.out(JSON.stringify({ keys: [key] }));
  output.err(
    `New key set, one ${key.alg} key (kid ${key.kid}). Keep it secret: it is AUTH_JWKS, private keys included.`,
  );
}

/** The next AUTH_JWKS value after `step`, from the one in force; throws CliError on a set in the wrong state. */
export async function nextRotation(
  current: PrivateJwks,
  step: RotationStep,
  alg: JwtAlgorithm | undefined,
): Promise<{ jwks: PrivateJwks; next: string }> {
  const [signing, pending, ...rest] = current.keys;
  if (!signing) throw new CliError("AUTH_JWKS has no keys");
  if (step === "add") {
    if (pending)
      throw new CliError(`a rotation is under way (${current.keys.length} keys): run --step switch or retire`);
    const added = await generateJwk(alg ?? (signing.alg as JwtAlgorithm | undefined) ?? "ES256");
    return {
      jwks: { keys: [signing, added] },
      next:
        `Added ${added.kid} (published, not signing yet); ${signing.kid} still signs. Deploy this AUTH_JWKS to every ` +
        "instance, wait until remote verifiers have fetched the JWKS (ours is cached 5 minutes), then run --step switch.",
    };
  }
  if (!pending || rest.length > 0) {
    throw new CliError(`--step ${step} needs a key set of two keys (after --step add), not ${current.keys.length}`);
  }
  if (step === "switch") {
    return {
      jwks: { keys: [pending, signing] },
      next:
        `${pending.kid} signs now; ${signing.kid} still verifies the tokens it signed. Deploy to every instance, wait ` +
        "ACCESS_TOKEN_TTL_SECONDS (15 minutes by default) more, then run --step retire.",
    };
  }
  return {
    jwks: { keys: [signing] },
    next: `Retired ${pending.kid}; ${signing.kid} alone signs and verifies. Deploy to every instance.`,
  };
}

export async function jwksRotate(
  options: { step: RotationStep; alg: JwtAlgorithm | undefined; current: string | undefined },
  output: Output,
): Promise<void> {
  if (!options.current) {
    throw new UsageError(
      "set AUTH_JWKS (environment or apps/web/.env) to the key set in force; `jwks generate` makes a first one",
    );
  }
  const current = parse(options.current);
  await checked(current, "AUTH_JWKS");
  const { jwks, next } = await nextRotation(current, options.step, options.alg);
  await checked(jwks, "the new key set");
  output.out(JSON.stringify(jwks));
  output.err(next);
}

function parse(text: string): PrivateJwks {
  try {
    const value = JSON.parse(text) as PrivateJwks;
    if (Array.isArray(value?.keys)) return value;
  } catch {}
  throw new CliError('AUTH_JWKS is not a private JWKS ({"keys":[…]})');
}

/** What the app will do with it: import every key, the first one signing. */
async function checked(jwks: PrivateJwks, what: string): Promise<void> {
  try {
    await importKeySet(jwks);
  } catch (error) {
    throw new CliError(`${what} is not usable: ${error instanceof Error ? error.message : String(error)}`);
  }
  // The app signs with the first key that can; rotation assumes that is the first one.
  if (!jwks.keys[0]?.d)
    throw new CliError(`${what}: its first key is not an asymmetric private key (the one that signs)`);
}
