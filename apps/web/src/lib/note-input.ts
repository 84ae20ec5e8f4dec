/**
 * What a note may hold, as zod schemas shared by the `notes` router (the authority) and the
 * notes form (which checks first, so most mistakes never make a round trip).
 * Safe to import from client components: no server code here.
 */
import { z } from "zod";
import { text } from "./input-schemas";

export const NOTE_TITLE_MAX = 200;
export const NOTE_BODY_MAX = 10_000;

export const noteTitle = text()
  .trim()
  .min(1, "Enter a title.")
  .max(NOTE_TITLE_MAX, `Titles are at most ${NOTE_TITLE_MAX} characters.`);

export const noteBody = text().max(
  NOTE_BODY_MAX,
  `Notes are at most ${NOTE_BODY_MAX.toLocaleString("en")} characters.`,
);

// Strict: an unknown field is a 400 naming it (see ./input-schemas).
export const noteId = z.strictObject({ id: z.uuid() });

export const newNoteInput = z.strictObject({ title: noteTitle, body: noteBody.default("") });

/** The fields given change; the others keep their value. */
export const noteChangesInput = noteId.extend({ title: noteTitle.optional(), body: noteBody.optional() });
