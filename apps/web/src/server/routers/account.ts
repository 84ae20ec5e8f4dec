import { listUserAuthEvents } from "@gatehouse/db/auth-events";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { authEventLabel } from "~/lib/auth-event-types";
import { noInput, text } from "~/lib/input-schemas";
import { revokeAccess } from "../access-revocation";
import { getAuth } from "../auth";
import { changePassword } from "../password-change";
import { PASSWORD_MAX_LENGTH } from "../password-policy";
import { startSession } from "../session";
import { router, sessionProcedure } from "../trpc";

/** How many events the account page lists. */
const ACTIVITY_LIMIT = 20;
const changePasswordInput = z.strictObject({
  currentPassword: text().min(1).max(PASSWORD_MAX_LENGTH),
  // The policy (length, common list) is checked by changePassword, with its own messages.
  newPassword: text().max(4 * PASSWORD_MAX_LENGTH),
});

/** The account row as its user sees it: no password hash (tRPC sends only these fields). */
const accountOutput = z.object({
  id: z.uuid(),
  email: z.string().nullable().describe("`null` for an account linked from an external issuer"),
  scopes: z.array(z.string()),
  createdAt: z.date(),
  disabledAt: z.date().nullable(),
});

/** One live sign-in (a refresh-token family). */
const sessionOutput = z.object({
  familyId: z.uuid(),
  userAgent: z.string().nullable(),
  createdAt: z.date().describe("The sign-in"),
  lastUsedAt: z.date().nullable().describe("The family's last refresh; `null` if never"),
  expiresAt: z.date().describe("Expiry of the family's newest live token"),
  current: z.boolean().describe("This is the sign-in making the request"),
});

/** One entry of the security log. */
const activityOutput = z.object({
  id: z.number().int(),
  type: z.string().describe("The event type, such as `sign_in.succeeded`"),
  label: z.string().describe("The type in words"),
  at: z.date(),
  address: z.string().nullable(),
  userAgent: z.string().nullable(),
});

/**
 * The account itself: first-party browser session only (`sessionProcedure`). A key or token
 * that may read notes must not list where the user is signed in or sign them out everywhere.
 */
export const accountRouter = router({
  /** The signed-in user's account row, without the password hash. */
  get: sessionProcedure
    .input(noInput)
    .output(accountOutput)
    .query(({ ctx }) => {
      const { passwordHash: _hidden, ...account } = ctx.account;
      return account;
    }),

  /** Live sign-ins (refresh-token families); `current` marks the one making this request. */
  sessions: sessionProcedure
    .input(noInput)
    .output(z.array(sessionOutput))
    .query(async ({ ctx }) => {
      const families = await (await getAuth()).refreshTokens.listActiveFamilies(ctx.account.id);
      return families.map((family) => ({ ...family, current: family.familyId === ctx.principal.claims.sid }));
    }),

  /**
   * The user's recent security activity (the security log, newest first): what, when, from
   * which address and user agent. Waits for this instance's pending events first, so the
   * sign-in that led here is listed.
   */
  activity: sessionProcedure
    .input(noInput)
    .output(z.array(activityOutput))
    .query(async ({ ctx }) => {
      await (await getAuth()).events.flush();
      const rows = await listUserAuthEvents((await ctx.database()).db, ctx.account, ACTIVITY_LIMIT);
      return rows.map((row) => ({
        id: Number(row.id),
        type: row.type,
        label: authEventLabel(row.type),
        at: row.createdAt,
        address: row.address,
        userAgent: row.userAgent,
      }));
    }),

  /** Signs one sign-in out: its refresh tokens and its access tokens die, on every instance. */
  revokeSession: sessionProcedure
    .input(z.strictObject({ familyId: z.uuid() }))
    .output(z.object({ revoked: z.boolean().describe("`false`: no such live sign-in of yours") }))
    .mutation(async ({ ctx, input }) => {
      const auth = await getAuth();
      const revoked = await auth.refreshTokens.revokeFamily(ctx.account.id, input.familyId);
      // Only a family of this user: nobody revokes another's sign-in by guessing its id.
      if (revoked) {
        void auth.events.record({
          type: "session.revoked",
          userId: ctx.account.id,
          headers: ctx.headers,
          detail: `sign-in ${input.familyId}`,
        });
        await revokeAccess({ database: await ctx.database(), list: auth.accessRevocations }, [
          { kind: "family", subject: input.familyId },
        ]);
      }
      return { revoked };
    }),

  /**
   * Changes the password (the current one is required, and budgeted like a sign-in). Every
   * other sign-in and every access token issued so far stop working, on every instance; this
   * browser gets a fresh sign-in (new cookies).
   */
  changePassword: sessionProcedure
    .input(changePasswordInput)
    .output(z.object({ changed: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      const result = await changePassword(await getAuth(), await ctx.database(), {
        account: ctx.account,
        currentPassword: input.currentPassword,
        newPassword: input.newPassword,
        headers: ctx.headers,
        startSession,
      });
      if (result.ok) return { changed: true };
      if (result.code === "throttled") {
        throw new TRPCError({
          code: "TOO_MANY_REQUESTS",
          message: `Too many attempts. Try again in ${result.retryAfterSeconds} seconds.`,
        });
      }
      throw new TRPCError({
        code: "BAD_REQUEST",
        message: result.code === "wrong_password" ? "The current password is wrong." : result.message,
      });
    }),

  /** "Sign out everywhere": every refresh-token family of this user is revoked, and every access token so far. */
  signOutEverywhere: sessionProcedure
    .input(noInput)
    .output(z.object({ revoked: z.number().int().describe("How many refresh tokens were revoked") }))
    .mutation(async ({ ctx }) => {
      const auth = await getAuth();
      const revoked = await auth.refreshTokens.revokeAllForUser(ctx.account.id);
      void auth.events.record({ type: "sign_out.everywhere", userId: ctx.account.id, headers: ctx.headers });
      await revokeAccess({ database: await ctx.database(), list: auth.accessRevocations }, [
        { kind: "user", subject: ctx.account.id },
      ]);
      return { revoked };
    }),
});
