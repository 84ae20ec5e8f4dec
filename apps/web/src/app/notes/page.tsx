import { TRPCError } from "@trpc/server";
import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { Nav } from "~/components/nav";
import { api } from "~/trpc/server";
import { NotesBoard } from "./notes-board";

export const metadata: Metadata = { title: "Notes" };
export const dynamic = "force-dynamic";

export default async function NotesPage() {
  const caller = await api();
  const session = await caller.auth.session();
  if (!session) redirect("/login");
  const account = await caller.account.get();
  // A session without notes:read gets an explanation, not an error page; the procedure decides.
  const notes = await caller.notes.list().catch((error: unknown) => {
    if (error instanceof TRPCError && error.code === "FORBIDDEN") return null;
    throw error;
  });
  return (
    <>
      <Nav email={account.email ?? undefined} />
      <main>
        <h1>Notes</h1>
        {notes ? (
          <NotesBoard initialNotes={notes} />
        ) : (
          <p role="alert">Your account does not hold the notes:read scope.</p>
        )}
      </main>
    </>
  );
}
