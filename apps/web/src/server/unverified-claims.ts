/**
 * A JWT's payload read without checking it: only for choosing whom to ask or when to renew,
 * never for trusting anything. Absent, oversized or unreadable → `undefined`.
 */
export function unverifiedClaims(token: string | undefined): Record<string, unknown> | undefined {
  const payload = token?.split(".")[1];
  if (!payload || payload.length > 16_384) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    return typeof claims === "object" && claims !== null ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
