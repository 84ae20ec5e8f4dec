/**
 * A script calling Gatehouse with an API key through the typed tRPC client.
 *
 *   GATEHOUSE_URL=http://localhost:3000 GATEHOUSE_API_KEY=gk_… pnpm --filter @gatehouse/web exec tsx examples/api-key-client.ts
 *
 * Types come from the app's router: a typo in a procedure name or input is a compile error.
 */
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import superjson from "superjson";
import type { AppRouter } from "../src/server/routers/_app";

const url = process.env.GATEHOUSE_URL ?? "http://localhost:3000";
const apiKey = process.env.GATEHOUSE_API_KEY;
if (!apiKey) {
  console.error("Set GATEHOUSE_API_KEY to a key from the API keys page or `pnpm gatehouse keys create`.");
  process.exit(2);
}

const client = createTRPCClient<AppRouter>({
  links: [httpBatchLink({ url: `${url}/api/trpc`, transformer: superjson, headers: { "x-api-key": apiKey } })],
});

const me = await client.auth.me.query();
console.log(JSON.stringify(me));
