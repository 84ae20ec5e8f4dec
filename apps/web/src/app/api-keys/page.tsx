import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { Nav } from "~/components/nav";
import { scopes } from "~/server/scopes";
import { api } from "~/trpc/server";
import { ApiKeyManager } from "./api-key-manager";

export const metadata: Metadata = { title: "API keys" };
export const dynamic = "force-dynamic";

export default async function ApiKeysPage() {
  const caller = await api();
  if (!(await caller.auth.session())) redirect("/login");
  const account = await caller.account.get();
  const grantable = scopes.all.filter((scope) => account.scopes.some((held) => covers(held, scope)));
  return (
    <>
      <Nav email={account.email} />
      <main>
        <h1>API keys</h1>
        <p className="muted">
          Scripts and services call the API with a key in the <code>X-API-Key</code> header (or as{" "}
          <code>Authorization: Bearer</code>). A key never holds more scopes than you do.
        </p>
        <ApiKeyManager grantableScopes={grantable} />
      </main>
    </>
  );
}

/** Display only (the server re-checks with the real validator): which registry scopes the user may grant. */
function covers(held: string, scope: string): boolean {
  const [heldResource, heldAction] = held.split(":");
  const [resource, action] = scope.split(":");
  return (
    (heldResource === "*" || heldResource === resource) &&
    (heldAction === "*" || heldAction === action || (heldAction === "write" && action === "read"))
  );
}
