/**
 * Who is calling, as far as the deployment lets us know: the one place that decides whether
 * proxy headers are believed. The sign-in form, the token endpoint and sign-up take the
 * client's address from here; other code that reads a forwarded header (`X-Forwarded-Host`,
 * `X-Forwarded-Proto`) should ask `trustsProxyHeaders()` first.
 *
 * `TRUSTED_PROXY_HOPS` says how many proxies in front of the app each append the address
 * they received the request from to `X-Forwarded-For`. Everything left of their entries was
 * written by the client and is worthless: `next start` keeps a client's own header as sent
 * (it fills it from the socket only when absent), and route handlers get no socket address.
 * So with 0 hops (the default) there is no per-client address at all, and `X-Real-IP` is
 * never read (any client can send it).
 */
import { env } from "~/env";

/** Longest address we accept from a proxy (an IPv6 address with a zone fits easily). */
const MAX_ADDRESS_LENGTH = 100;

/**
 * The client's address: with N trusted hops, the Nth `X-Forwarded-For` entry from the right
 * (what the outermost trusted proxy saw). `null` with no trusted proxy, or when the header
 * has fewer entries than hops (the request did not come through them all).
 */
export function clientAddress(headers: Headers, trustedProxyHops: number = env().trustedProxyHops): string | null {
  if (trustedProxyHops < 1) return null;
  // Several X-Forwarded-For headers arrive joined by ", ", in order: one list either way.
  const entries = (headers.get("x-forwarded-for") ?? "").split(",").map((entry) => entry.trim());
  if (entries.length < trustedProxyHops) return null;
  const address = entries[entries.length - trustedProxyHops]?.toLowerCase() ?? "";
  return address !== "" && address.length <= MAX_ADDRESS_LENGTH && !/\s/.test(address) ? address : null;
}

/** Whether headers set by a proxy (`X-Forwarded-*`) come from one the operator trusts. */
export function trustsProxyHeaders(trustedProxyHops: number = env().trustedProxyHops): boolean {
  return trustedProxyHops > 0;
}
