import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNote, deleteNote, getNote, listNotes, updateNote } from "./notes";
import type { User } from "./schema";
import { createTestDatabase, type TestDatabase } from "./testing";
import { createUser } from "./users";

let database: TestDatabase;
let ada: User;
let eve: User;

beforeAll(async () => {
  database = await createTestDatabase();
  ada = await createUser(database.db, { email: "ada@example.com", passwordHash: "h", scopes: [] });
  eve = await createUser(database.db, { email: "eve@example.com", passwordHash: "h", scopes: [] });
});
afterAll(async () => {
  await database?.cleanup();
});

const UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";

describe("notes", () => {
  it("creates, reads, updates and deletes the owner's note", async () => {
    const note = await createNote(database.db, { ownerId: ada.id, title: "Groceries", body: "eggs" });
    expect(note).toMatchObject({ ownerId: ada.id, title: "Groceries", body: "eggs" });
    expect(await getNote(database.db, { ownerId: ada.id, id: note.id })).toEqual(note);

    const updated = await updateNote(database.db, { ownerId: ada.id, id: note.id, body: "eggs, milk" });
    expect(updated).toMatchObject({ id: note.id, title: "Groceries", body: "eggs, milk" });
    expect(updated?.updatedAt.getTime()).toBeGreaterThanOrEqual(note.updatedAt.getTime());

    expect(await deleteNote(database.db, { ownerId: ada.id, id: note.id })).toBe(true);
    expect(await getNote(database.db, { ownerId: ada.id, id: note.id })).toBeUndefined();
    expect(await deleteNote(database.db, { ownerId: ada.id, id: note.id })).toBe(false);
  });

  it("defaults the body to empty", async () => {
    const note = await createNote(database.db, { ownerId: ada.id, title: "Title only" });
    expect(note.body).toBe("");
  });

  it("lists only the owner's notes, newest first", async () => {
    const owner = await createUser(database.db, { email: "lister@example.com", passwordHash: "h", scopes: [] });
    const first = await createNote(database.db, { ownerId: owner.id, title: "first" });
    const second = await createNote(database.db, { ownerId: owner.id, title: "second" });
    await createNote(database.db, { ownerId: eve.id, title: "not yours" });
    const listed = await listNotes(database.db, owner.id);
    expect(listed.map((n) => n.id)).toEqual([second.id, first.id]);
    expect(listed.every((n) => n.ownerId === owner.id)).toBe(true);
  });

  it("never reads, changes or deletes another owner's note - it looks missing", async () => {
    const secret = await createNote(database.db, { ownerId: ada.id, title: "Ada's secret", body: "42" });
    const foreign = { ownerId: eve.id, id: secret.id };

    expect(await getNote(database.db, foreign)).toBeUndefined();
    expect(await updateNote(database.db, { ...foreign, title: "pwned" })).toBeUndefined();
    expect(await deleteNote(database.db, foreign)).toBe(false);
    expect((await listNotes(database.db, eve.id)).map((n) => n.id)).not.toContain(secret.id);

    expect(await getNote(database.db, { ownerId: ada.id, id: secret.id })).toMatchObject({
      title: "Ada's secret",
      body: "42",
    });
  });

  it("answers empty for unknown or non-uuid ids instead of a cast error", async () => {
    expect(await listNotes(database.db, "not-a-uuid")).toEqual([]);
    expect(await getNote(database.db, { ownerId: ada.id, id: "not-a-uuid" })).toBeUndefined();
    expect(await getNote(database.db, { ownerId: ada.id, id: UNKNOWN_ID })).toBeUndefined();
    expect(await updateNote(database.db, { ownerId: ada.id, id: UNKNOWN_ID, title: "x" })).toBeUndefined();
    expect(await deleteNote(database.db, { ownerId: "nope", id: UNKNOWN_ID })).toBe(false);
  });
});
