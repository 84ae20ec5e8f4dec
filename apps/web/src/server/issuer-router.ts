import { Unauthorized } from "@gatehouse/auth/errors";
import type { Verifier } from "@gatehouse/auth/verifier";
import { unverifiedClaims } from "./unverified-claims";

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
  const iss = unverifiedClaims(token)?.iss;
  return typeof iss === "string" ? iss : undefined;
}
