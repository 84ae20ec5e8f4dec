import { Unauthorized } from "@gatehouse/auth/errors";
import type { Verifier } from "@gatehouse/auth/verifier";

/**
 * Sends a JWT to the verifier of the issuer it names. The `iss` read here is unverified and
 * only chooses whom to ask; the chosen verifier checks signature and `iss` for real.
 */
export function routeByIssuer(verifiers: Readonly<Record<string, Verifier>>): Verifier {
  const byIssuer = new Map(Object.entries(verifiers));
  return {
    async verify(token) {
      const verifier = byIssuer.get(unverifiedIssuer(token) ?? "");
      if (!verifier) throw new Unauthorized("Token from an unknown issuer");
      return verifier.verify(token);
    },
  };
}

function unverifiedIssuer(token: string): string | undefined {
  const payload = token.split(".")[1];
  if (!payload || payload.length > 16_384) return undefined;
  try {
    const iss = (JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { iss?: unknown }).iss;
    return typeof iss === "string" ? iss : undefined;
  } catch {
    return undefined;
  }
}
