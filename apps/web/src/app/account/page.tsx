import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { Nav } from "~/components/nav";
import { PASSWORD_MIN_LENGTH } from "~/server/password-policy";
import { api } from "~/trpc/server";
import { SecurityActivity } from "./activity";
import { ChangePasswordForm } from "./change-password-form";
import { Sessions } from "./sessions";
import { WhoAmI } from "./who-am-i";

export const metadata: Metadata = { title: "Account" };
export const dynamic = "force-dynamic";

export default async function AccountPage() {
  const caller = await api();
  const session = await caller.auth.session();
  if (!session) redirect("/login");
  const account = await caller.account.get();
  const activity = await caller.account.activity();
  return (
    <>
      <Nav email={account.email ?? undefined} />
      <main>
        <h1>Signed in as {account.email}</h1>
        <section className="card" aria-labelledby="account-heading">
          <h2 id="account-heading">Your account</h2>
          <dl>
            <dt>Email</dt>
            <dd data-testid="account-email">{account.email}</dd>
            <dt>User id</dt>
            <dd className="mono">{account.id}</dd>
            <dt>Scopes</dt>
            <dd>{account.scopes.join(" ") || "none"}</dd>
            <dt>Member since</dt>
            <dd>{account.createdAt.toISOString().slice(0, 10)}</dd>
          </dl>
        </section>
        <WhoAmI />
        <Sessions />
        <SecurityActivity events={activity} />
        <ChangePasswordForm minLength={PASSWORD_MIN_LENGTH} />
      </main>
    </>
  );
}
