import { isAuthError } from "@gatehouse/auth/errors";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "~/server/routers/_app";
import { createContext } from "~/server/trpc";

export const dynamic = "force-dynamic";

function handler(request: Request) {
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
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`tRPC ${path ?? "?"} failed:`, error.cause ?? error);
    },
  });
}

export { handler as GET, handler as POST };
