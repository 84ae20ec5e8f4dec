import { createNote, deleteNote, getNote, listNotes, type Note, updateNote } from "@gatehouse/db/notes";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { noInput } from "~/lib/input-schemas";
import { newNoteInput, noteChangesInput, noteId } from "~/lib/note-input";
import { middleware, router, scopedProcedure } from "../trpc";

/**
 * The owner is the live user behind the caller (the key's owner for an API key), not just the
 * token's `sub`: a disabled or deleted account is a 401 here even while its access token is
 * still valid, and a foreign issuer's subject never reaches the notes table.
 */
const resolveOwner = middleware(async ({ ctx, next }) => next({ ctx: { ownerId: (await ctx.user()).id } }));

/** A note on the wire (the API reference documents it; tRPC sends only these fields). */
const noteOutput = z.object({
  id: z.uuid(),
  ownerId: z.uuid().describe("The owning user's id"),
  title: z.string(),
  body: z.string(),
  createdAt: z.date(),
  updatedAt: z.date(),
});

/** Every notes procedure is one of these two. */
const notesReader = scopedProcedure("notes:read").use(resolveOwner);
const notesWriter = scopedProcedure("notes:write").use(resolveOwner);

/** One message for a missing note and someone else's: the answer never says which ids exist. */
const notFound = () => new TRPCError({ code: "NOT_FOUND", message: "Note not found" });

function found(note: Note | undefined): Note {
  if (!note) throw notFound();
  return note;
}

export const notesRouter = router({
  /** The caller's notes, newest first. */
  list: notesReader
    .input(noInput)
    .output(z.array(noteOutput))
    .query(async ({ ctx }) => listNotes((await ctx.database()).db, ctx.ownerId)),

  get: notesReader
    .input(noteId)
    .output(noteOutput)
    .query(async ({ ctx, input }) =>
      found(await getNote((await ctx.database()).db, { ownerId: ctx.ownerId, id: input.id })),
    ),

  create: notesWriter
    .input(newNoteInput)
    .output(noteOutput)
    .mutation(async ({ ctx, input }) => createNote((await ctx.database()).db, { ownerId: ctx.ownerId, ...input })),

  /** Changes the fields given; the others keep their value. */
  update: notesWriter
    .input(noteChangesInput)
    .output(noteOutput)
    .mutation(async ({ ctx, input }) =>
      found(await updateNote((await ctx.database()).db, { ownerId: ctx.ownerId, ...input })),
    ),

  delete: notesWriter
    .input(noteId)
    .output(z.object({ id: z.uuid().describe("The deleted note's id") }))
    .mutation(async ({ ctx, input }) => {
      const deleted = await deleteNote((await ctx.database()).db, { ownerId: ctx.ownerId, id: input.id });
      if (!deleted) throw notFound();
      return { id: input.id };
    }),
});
