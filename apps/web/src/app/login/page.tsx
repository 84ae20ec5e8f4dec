import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { env } from "~/env";
import { DEMO_USER } from "~/server/demo-user";
import { api } from "~/trpc/server";
import { LoginForm } from "./login-form";
import { isSignOutIncomplete, SignOutNotice } from "./sign-out-notice";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, unknown>> }) {
  const caller = await api();
  if (await caller.auth.session()) redirect("/account");
  const config = env();
  return (
    <main>
      <h1>Sign in</h1>
      {isSignOutIncomplete(await searchParams) ? <SignOutNotice /> : null}
      <div className="card">
        <LoginForm />
      </div>
      <p>
        New here? <a href="/signup">Create an account</a>
      </p>
      {config.demoUser && !config.production ? (
        <aside className="card muted" aria-label="Demo account">
          Development demo account: <code>{DEMO_USER.email}</code> / <code>{DEMO_USER.password}</code>
        </aside>
      ) : null}
    </main>
  );
}
