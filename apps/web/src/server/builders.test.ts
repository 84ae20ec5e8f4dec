import type { Principal } from "@gatehouse/auth/principal";
import { describe, expect, expectTypeOf, it } from "vitest";
import { appRouter } from "./routers/_app";
import { type Meta, protectedProcedure, publicProcedure, scopedProcedure } from "./trpc";

describe("procedure builders", () => {
  it("narrows ctx.principal to non-null in protected and scoped procedures", () => {
    publicProcedure.query(({ ctx }) => {
      expectTypeOf(ctx.principal).toEqualTypeOf<Principal | null>();
    });
    protectedProcedure.query(({ ctx }) => {
      expectTypeOf(ctx.principal).toEqualTypeOf<Principal>();
    });
    scopedProcedure("notes:read").query(({ ctx }) => {
      expectTypeOf(ctx.principal).toEqualTypeOf<Principal>();
    });
  });

  it("checks scope names against the registry at compile time", () => {
    scopedProcedure("notes:read", "notes:*", "*:read", "*:*");
    // @ts-expect-error a misspelt resource is not a scope of this app
    scopedProcedure("notse:read");
    // @ts-expect-error an action the registry does not list
    scopedProcedure("notes:delete");
    // @ts-expect-error at least one scope is required
    scopedProcedure();
  });

  it("keeps each procedure's requirement as data that tests and docs can list", () => {
    const requirements = Object.fromEntries(
      Object.entries(appRouter._def.procedures).map(([path, procedure]) => [
        path,
        (procedure as unknown as { _def: { meta?: Meta } })._def.meta?.auth,
      ]),
    );
    expect(requirements["auth.session"]).toEqual({ public: true });
    expect(requirements["auth.me"]).toEqual({ scopes: [] });
    expect(requirements["notes.list"]).toEqual({ scopes: ["notes:read"] });
    expect(requirements["account.get"]).toEqual({ session: true });
  });
});
