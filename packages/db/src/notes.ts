/**
 * Note queries. Every query takes the owner and filters on it in the same statement, so a
 * caller holding someone else's note id reads, changes or deletes nothing: a foreign note and
 * a missing one look the same (`undefined` / `false`).
 */
import { and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "./client";
import { isUuid } from "./lib/is-uuid";
import { type Note, notes } from "./schema";

export type { Note };

export interface NoteRef {
  ownerId: string;
  id: string;
}

export interface NewNote {
  ownerId: string;
  title: string;
  /** Default: empty. */
  body?: string;
}

export interface NoteChanges extends NoteRef {
  /** Fields left out keep their value. */
  title?: string;
  body?: string;
}

/** The owner's notes, newest first. */
export async function listNotes(db: Db, ownerId: string): Promise<Note[]> {
  if (!isUuid(ownerId)) return [];
  return db.select().from(notes).where(eq(notes.ownerId, ownerId)).orderBy(desc(notes.createdAt), desc(notes.id));
}

/** One note of one owner; `undefined` when it does not exist or belongs to someone else. */
export async function getNote(db: Db, ref: NoteRef): Promise<Note | undefined> {
  if (!isUuid(ref.ownerId) || !isUuid(ref.id)) return undefined;
  const [row] = await db
    .select()
    .from(notes)
    .where(and(eq(notes.id, ref.id), eq(notes.ownerId, ref.ownerId)))
    .limit(1);
  return row;
}

export async function createNote(db: Db, input: NewNote): Promise<Note> {
  const [row] = await db
    .insert(notes)
    .values({ ownerId: input.ownerId, title: input.title, body: input.body ?? "" })
    .returning();
  if (!row) throw new Error("insert returned no row");
  return row;
}

/** Changes the owner's note and bumps `updated_at`; `undefined` when there is no such note of this owner. */
export async function updateNote(db: Db, changes: NoteChanges): Promise<Note | undefined> {
  if (!isUuid(changes.ownerId) || !isUuid(changes.id)) return undefined;
  const [row] = await db
    .update(notes)
    .set({
      ...(changes.title === undefined ? {} : { title: changes.title }),
      ...(changes.body === undefined ? {} : { body: changes.body }),
      // The database clock, as for `created_at`, so the two are comparable.
      updatedAt: sql`now()`,
    })
    .where(and(eq(notes.id, changes.id), eq(notes.ownerId, changes.ownerId)))
    .returning();
  return row;
}

/** Deletes the owner's note; `false` when there is no such note of this owner. */
export async function deleteNote(db: Db, ref: NoteRef): Promise<boolean> {
  if (!isUuid(ref.ownerId) || !isUuid(ref.id)) return false;
  const rows = await db
    .delete(notes)
    .where(and(eq(notes.id, ref.id), eq(notes.ownerId, ref.ownerId)))
    .returning({ id: notes.id });
  return rows.length > 0;
}
