import type { Principal } from "@gatehouse/auth/principal";
import { z } from "zod";
import { noInput } from "~/lib/input-schemas";
import { protectedProcedure, publicProcedure, router } from "../trpc";

const summarize = (principal: Principal) => ({
  subject: principal.subject,
  kind: principal.kind,
  scopes: [...principal.scopes],
});

/** The wire contract of `auth.me` (DESIGN.md), declared so the API reference shows it. */
const callerSummary = z.object({
  subject: z.string().describe("The token's `sub`: a user id, or the external issuer's subject"),
  kind: z.enum(["user", "api_key", "service"]),
  scopes: z.array(z.string()),
});

export const authRouter = router({
  /** Who is calling: the token's `sub`, the credential kind and its scopes. */
  me: protectedProcedure
    .input(noInput)
    .output(callerSummary)
    .query(({ ctx }) => summarize(ctx.principal)),
  /** The same, or `null` for an anonymous caller (pages use it to choose what to show). */
  session: publicProcedure
    .input(noInput)
    .output(callerSummary.nullable())
    .query(({ ctx }) => (ctx.principal ? summarize(ctx.principal) : null)),
});
