import { eq, sql } from "drizzle-orm";
import type { Db } from "./client";
import { isUuid } from "./lib/is-uuid";
import { type User, users } from "./schema";

export type { User };

export class EmailTakenError extends Error {
  readonly code = "ERR_EMAIL_TAKEN";
  constructor() {
    super("A user with this email already exists");
  }
}

/** Case-insensitive lookup, served by the unique index on lower(email). */
export async function findUserByEmail(db: Db, email: string): Promise<User | undefined> {
  const [user] = await db.select().from(users).where(sql`lower(${users.email}) = lower(${email})`).limit(1);
  return user;
}

export async function findUserById(db: Db, id: string): Promise<User | undefined> {
  if (!isUuid(id)) return undefined;
  const [user] = await db.select().from(users).where(eq(users.id, id)).limit(1);
  return user;
}

export interface NewUser {
  email: string;
  passwordHash: string;
  scopes: readonly string[];
}

/** Inserts a user; throws `EmailTakenError` when the email exists in any letter case. */
export async function createUser(db: Db, input: NewUser): Promise<User> {
  try {
    const [user] = await db
      .insert(users)
      .values({ email: input.email.trim(), passwordHash: input.passwordHash, scopes: [...input.scopes] })
      .returning();
    if (!user) throw new Error("insert returned no row");
    return user;
  } catch (error) {
    if (isUniqueViolation(error)) throw new EmailTakenError();
    throw error;
  }
}

export async function updateUserPasswordHash(db: Db, id: string, passwordHash: string): Promise<void> {
  await db.update(users).set({ passwordHash }).where(eq(users.id, id));
}

export async function setUserScopes(db: Db, id: string, scopes: readonly string[]): Promise<void> {
  await db
    .update(users)
    .set({ scopes: [...scopes] })
    .where(eq(users.id, id));
}

export async function setUserDisabled(db: Db, id: string, disabled: boolean): Promise<void> {
  await db
    .update(users)
    .set({ disabledAt: disabled ? new Date() : null })
    .where(eq(users.id, id));
}

/** SQLSTATE 23505, as reported by postgres.js and by PGlite (possibly wrapped by drizzle). */
function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error; e && typeof e === "object"; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === "23505") return true;
  }
  return false;
}
