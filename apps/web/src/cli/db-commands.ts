/**
 * `db migrate` and `db seed` (`pnpm db:migrate`, `pnpm db:seed` at the root): the database
 * is opened as for every command, so on the embedded one they go through the dev server
 * when it owns the folder.
 */
import type { Database } from "@gatehouse/db/client";
import { migrationStatus } from "@gatehouse/db/migrations";
import { createNote, listNotes } from "@gatehouse/db/notes";
import { findUserByEmail } from "@gatehouse/db/users";
import { DEMO_USER, ensureDemoUser } from "../server/demo-user";
import { CliError, type Output } from "./cli-error";

/** Opening applied the pending migrations (under the advisory lock on Postgres); this reports where it got. */
export async function dbMigrate(context: { database: Database; output: Output }): Promise<void> {
  const { applied, available, latest } = await migrationStatus(context.database.db);
  if (applied < available) throw new CliError(`only ${applied} of ${available} migrations are applied`);
  context.output.err(
    `Database (${context.database.kind}) is migrated: ${applied} of ${available} applied, latest ${latest}.`,
  );
}

const DEMO_NOTES = [
  {
    title: "Welcome to Gatehouse",
    body: "Notes are the example resource: notes:read lists them, notes:write changes them.",
  },
  { title: "Try an API key", body: "Create one on the API keys page, then curl /api/trpc/notes.list with X-API-Key." },
  { title: "Rename me", body: "pnpm rename <your-app> rewrites the @gatehouse scope, cookies and key prefix." },
];

/** Checked before the database is opened: the demo account never reaches a production database. */
export function assertSeedAllowed(environment: string): void {
  if (environment === "live")
    throw new CliError("db seed is refused in production: the demo account's password is public");
}

/** The demo account and a few notes, once: running it again adds nothing. */
export async function dbSeed(context: { database: Database; output: Output }): Promise<void> {
  const { db } = context.database;
  await ensureDemoUser(db);
  const user = await findUserByEmail(db, DEMO_USER.email);
  if (!user) throw new CliError("the demo user was not created");
  if ((await listNotes(db, user.id)).length === 0) {
    for (const note of DEMO_NOTES) await createNote(db, { ownerId: user.id, ...note });
  }
  const notes = await listNotes(db, user.id);
  context.output.err(`Demo user ${DEMO_USER.email} / ${DEMO_USER.password} with ${notes.length} notes.`);
}
