"use client";

import type { Note } from "@gatehouse/db/notes";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useRef, useState } from "react";
import { z } from "zod";
import { FormField } from "~/components/form-field";
import { NOTE_BODY_MAX, NOTE_TITLE_MAX, newNoteInput } from "~/lib/note-input";
import { useTRPC } from "~/trpc/react";

type FieldErrors = { title?: string | undefined; body?: string | undefined };

/** The caller's notes: a form to add one, and the list with a delete button each. */
export function NotesBoard({ initialNotes }: { initialNotes: Note[] }) {
  const trpc = useTRPC();
  const notes = useQuery(trpc.notes.list.queryOptions(undefined, { initialData: initialNotes }));
  return (
    <>
      <NewNoteForm />
      <section className="card" aria-labelledby="notes-heading">
        <h2 id="notes-heading">Your notes</h2>
        {notes.error ? <p role="alert">Could not load your notes: {notes.error.message}</p> : null}
        {notes.data.length === 0 ? (
          <p className="muted">No notes yet.</p>
        ) : (
          <ul aria-labelledby="notes-heading" className="note-list">
            {notes.data.map((note) => (
              <NoteItem key={note.id} note={note} />
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

function NewNoteForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const titleRef = useRef<HTMLInputElement>(null);
  const ids = useId();
  // Controlled, so whatever was typed survives a failed save.
  const [title, setTitle] = useState("");
  const [body, setBody] = useState("");
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);

  const create = useMutation(
    trpc.notes.create.mutationOptions({
      onSuccess: async () => {
        setTitle("");
        setBody("");
        await queryClient.invalidateQueries({ queryKey: trpc.notes.list.queryKey() });
        titleRef.current?.focus();
      },
      onError: (error) => {
        const server = error.data?.zodError?.fieldErrors as Record<string, string[] | undefined> | undefined;
        if (server?.title?.[0] || server?.body?.[0]) {
          setFieldErrors({ title: server.title?.[0], body: server.body?.[0] });
          setFormError("Check the highlighted fields.");
        } else {
          setFormError(`The note was not saved: ${error.message}`);
        }
      },
    }),
  );

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setFormError(null);
    const parsed = newNoteInput.safeParse({ title, body });
    if (!parsed.success) {
      const errors = z.flattenError(parsed.error).fieldErrors;
      setFieldErrors({ title: errors.title?.[0], body: errors.body?.[0] });
      setFormError("Check the highlighted fields.");
      (errors.title ? titleRef.current : null)?.focus();
      return;
    }
    setFieldErrors({});
    create.mutate(parsed.data);
  }

  const titleInput = `${ids}-title`;
  const bodyInput = `${ids}-body`;
  const bodyError = `${ids}-body-error`;
  return (
    <section className="card" aria-labelledby={`${ids}-heading`}>
      <h2 id={`${ids}-heading`}>New note</h2>
      {/* method="post": before hydration a submit must never put the note in the URL. */}
      <form method="post" onSubmit={submit} className="stack" aria-label="New note" noValidate>
        {formError ? <p role="alert">{formError}</p> : null}
        <FormField
          id={titleInput}
          label="Title"
          ref={titleRef}
          name="title"
          value={title}
          onChange={(event) => setTitle(event.target.value)}
          maxLength={NOTE_TITLE_MAX}
          required
          readOnly={create.isPending}
          error={fieldErrors.title}
        />
        <div className="field">
          <label htmlFor={bodyInput}>Note</label>
          <textarea
            id={bodyInput}
            name="body"
            rows={4}
            value={body}
            onChange={(event) => setBody(event.target.value)}
            maxLength={NOTE_BODY_MAX}
            readOnly={create.isPending}
            aria-invalid={fieldErrors.body ? true : undefined}
            aria-describedby={fieldErrors.body ? bodyError : undefined}
          />
          {fieldErrors.body ? (
            <span id={bodyError} className="field-error">
              {fieldErrors.body}
            </span>
          ) : null}
        </div>
        <button type="submit" disabled={create.isPending}>
          {create.isPending ? "Saving…" : "Add note"}
        </button>
      </form>
    </section>
  );
}

function NoteItem({ note }: { note: Note }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const remove = useMutation(
    trpc.notes.delete.mutationOptions({
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.notes.list.queryKey() }),
    }),
  );
  return (
    <li aria-busy={remove.isPending} className="note">
      <h3>{note.title}</h3>
      {note.body ? <p className="note-body">{note.body}</p> : null}
      <p className="muted">
        {/* ISO in UTC: the same text on the server and in the browser, so hydration matches. */}
        <time dateTime={note.createdAt.toISOString()}>
          {note.createdAt.toISOString().slice(0, 16).replace("T", " ")} UTC
        </time>
      </p>
      {remove.error ? <p role="alert">Could not delete this note: {remove.error.message}</p> : null}
      <button
        type="button"
        className="danger"
        onClick={() => remove.mutate({ id: note.id })}
        disabled={remove.isPending}
        aria-label={`Delete note “${note.title}”`}
      >
        {remove.isPending ? "Deleting…" : "Delete"}
      </button>
    </li>
  );
}
