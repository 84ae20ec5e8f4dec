import "server-only";
import { api } from "~/trpc/server";

/** The signed-in user's email for the nav, or `undefined`: /docs and /scopes are open to anyone. */
export async function signedInEmail(): Promise<string | undefined> {
  const caller = await api();
  if (!(await caller.auth.session())) return undefined;
  return (await caller.account.get().catch(() => undefined))?.email ?? undefined;
}
