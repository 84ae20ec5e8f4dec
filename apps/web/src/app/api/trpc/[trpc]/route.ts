import { isAuthError } from "@gatehouse/auth/errors";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { withBodyLimit } from "~/server/http/with-body-limit";
import { withErrorBoundary } from "~/server/http/with-error-boundary";
import { logInternalError } from "~/server/internal-error";
import { appRouter } from "~/server/routers/_app";
import { createContext } from "~/server/trpc";

export const dynamic = "force-dynamic";

/** Largest tRPC request body; a batch of ordinary inputs is far below it. */
const MAX_BODY_BYTES = 1024 * 1024;

async function handler(incoming: Request) {
  const request = await withBodyLimit(incoming, MAX_BODY_BYTES);
  if (request instanceof Response) return request;
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req: request,
    router: appRouter,
    createContext: () => createContext({ headers: request.headers }),
    // Auth errors carry their own headers (WWW-Authenticate, Retry-After): put them on the wire.
    responseMeta({ errors }) {
      const headers = new Headers({ "cache-control": "no-store" });
      for (const error of errors) {
        if (isAuthError(error.cause)) {
          for (const [name, value] of Object.entries(error.cause.headers)) headers.set(name, value);
        }
      }
      return { headers };
    },
    // Same error object as the errorFormatter's, so the logged request id is the answered one.
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR") logInternalError(`tRPC ${path ?? "?"}`, error);
    },
  });
}

const guarded = withErrorBoundary("tRPC route", handler);

export { guarded as GET, guarded as POST };
