/**
 * A script in any TypeScript project calling Gatehouse through a client generated from the
 * OpenAPI document (no import from this repo's code: the types are the generated file).
 *
 *   pnpm -s gatehouse openapi > openapi.json
 *   pnpm exec openapi-typescript openapi.json -o examples/openapi/gatehouse-api.d.ts
 *   GATEHOUSE_URL=http://localhost:3000 GATEHOUSE_API_KEY=gk_… pnpm --filter @gatehouse/web exec tsx examples/openapi-client.ts
 *
 * tRPC's wire: a query's input is `?input=` JSON, a mutation's the body, both as `{"json": …}`.
 */
import createClient from "openapi-fetch";
import type { paths } from "./openapi/gatehouse-api";

const baseUrl = process.env.GATEHOUSE_URL ?? "http://localhost:3000";
const apiKey = process.env.GATEHOUSE_API_KEY;
if (!apiKey) {
  console.error("Set GATEHOUSE_API_KEY to a key from the API keys page or `pnpm gatehouse keys create`.");
  process.exit(2);
}

const api = createClient<paths>({ baseUrl, headers: { "x-api-key": apiKey } });

const me = await api.GET("/api/trpc/auth.me");
// A mutation the key may lack the scope for: the 403's problem says which.
const created = await api.POST("/api/trpc/notes.create", { body: { json: { title: "From the OpenAPI client" } } });
console.log(
  JSON.stringify({
    me: me.data?.result.data.json,
    create: created.response.status,
    problem: created.error?.error.json.data.problem ?? null,
  }),
);
