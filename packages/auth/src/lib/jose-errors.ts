/**
 * Turns jose's errors into `Unauthorized` with a short, fixed detail. jose's own messages
 * are fine, but ours are a stable contract and never contain token material.
 */
import { errors } from "jose";
import { Unauthorized } from "../errors";

export function unauthorizedFromJose(error: unknown): Unauthorized {
  return new Unauthorized(detailFor(error), { cause: error });
}

function detailFor(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "Token has expired";
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === "missing") return `Token is missing required claim: ${error.claim}`;
    switch (error.claim) {
      case "iss":
        return "Token issuer is not accepted";
      case "aud":
        return "Token audience is not accepted";
      case "nbf":
        return "Token is not yet valid";
      case "typ":
        return "Token type is not accepted";
      default:
        return `Token claim ${error.claim} is invalid`;
    }
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return "Token signature is invalid";
  if (error instanceof errors.JOSEAlgNotAllowed) return "Token algorithm is not allowed";
  // jwtVerify throws JWTInvalid when the signed payload is not a JSON object.
  if (error instanceof errors.JWTInvalid) return "Token payload is not a JSON object";
  if (error instanceof errors.JWSInvalid) return "Token is malformed";
  return "Invalid token";
}
