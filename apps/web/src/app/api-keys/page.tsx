import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { Nav } from "~/components/nav";
import { scopes, scopeValidator } from "~/server/scopes";
import { api } from "~/trpc/server";
import { ApiKeyManager } from "./api-key-manager";

export const metadata: Metadata = { title: "API keys" };
export const dynamic = "force-dynamic";

export default async function ApiKeysPage() {
  const caller = await api();
  const session = await caller.auth.session();
  if (!session) redirect("/login");
  const account = await caller.account.get();
  // The same validator and rules as `apiKeys.create`: held by the owner and by this sign-in.
  const grantable = scopes.all.filter(
    (scope) => scopeValidator.satisfies(account.scopes, scope) && scopeValidator.satisfies(session.scopes, scope),
  );
  return (
    <>
      <Nav email={account.email ?? undefined} />
      <main>
        <h1>API keys</h1>
        <p className="muted">
          Scripts and services call the API with a key in the <code>X-API-Key</code> header (or as{" "}
          <code>Authorization: Bearer</code>). A key never holds more scopes than you do, and expires in 90 days unless
          you choose otherwise. What each scope allows: <Link href="/scopes">Scopes</Link>; try the API in the{" "}
          <Link href="/docs">API reference</Link>.
        </p>
        <ApiKeyManager grantableScopes={grantable} />
      </main>
    </>
  );
}
