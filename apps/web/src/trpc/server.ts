import "server-only";
import { cookies, headers } from "next/headers";
import { cache } from "react";
import { SERVICE_UNAVAILABLE_DIGEST } from "~/lib/error-digests";
import { createCaller } from "~/server/routers/_app";
import { createContext } from "~/server/trpc";

/**
 * tRPC for React Server Components: the same context and procedures, no HTTP hop.
 * Cached per request, so several components share one context (and one `ctx.user()`).
 * A 503 (database down) is stamped with a digest error.tsx recognises, so the page says so.
 */
export const api = cache(async () =>
  createCaller(await createContext({ headers: await requestHeaders() }), {
    onError({ error }) {
      if (error.code === "SERVICE_UNAVAILABLE") Object.assign(error, { digest: SERVICE_UNAVAILABLE_DIGEST });
    },
  }),
);

/**
 * The request's headers, with `cookie` taken from `cookies()`: after a server action signs
 * in and redirects, Next renders the next page in the same request, and only `cookies()`
 * already holds the session the action just set.
 */
export async function requestHeaders(): Promise<Headers> {
  const merged = new Headers(await headers());
  const jar = (await cookies()).toString();
  if (jar) merged.set("cookie", jar);
  else merged.delete("cookie");
  return merged;
}
