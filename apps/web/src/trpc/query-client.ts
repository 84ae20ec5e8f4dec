import { defaultShouldDehydrateQuery, QueryClient } from "@tanstack/react-query";
import superjson from "superjson";

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { staleTime: 30_000, retry: (count, error) => count < 2 && !isAuthFailure(error) },
      dehydrate: {
        serializeData: superjson.serialize,
        shouldDehydrateQuery: (query) => defaultShouldDehydrateQuery(query) || query.state.status === "pending",
      },
      hydrate: { deserializeData: superjson.deserialize },
    },
  });
}

/** A 401/403 will not get better by retrying. */
function isAuthFailure(error: unknown): boolean {
  const code = (error as { data?: { code?: string } })?.data?.code;
  return code === "UNAUTHORIZED" || code === "FORBIDDEN";
}
