/**
 * #13 "done when": a procedure added with `scopedProcedure("notes:write")` appears in the
 * reference with that scope and no other change — nothing to register, annotate or write.
 */
import type { AnyRouter } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { appRouter } from "../routers/_app";
import { notesRouter } from "../routers/notes";
import { scopeDescriptions } from "../scopes";
import { router, scopedProcedure } from "../trpc";
import { buildOpenApiDocument } from "./openapi-document";

const documentOf = (app: AnyRouter) =>
  buildOpenApiDocument({
    router: app,
    issuer: "http://localhost:3000",
    sessionCookieName: "__Host-gatehouse_session",
    scopes: scopeDescriptions,
  });

describe("a procedure added to the router", () => {
  const withArchive = router({
    ...appRouter._def.record,
    notes: router({
      ...notesRouter._def.record,
      archive: scopedProcedure("notes:write")
        .input(z.strictObject({ id: z.uuid() }))
        .mutation(({ input }) => ({ archived: input.id })),
    }),
  });
  const before = documentOf(appRouter);
  const after = documentOf(withArchive);

  it("is documented at its tRPC path, POST, with notes:write on every credential", () => {
    const operation = after.paths["/api/trpc/notes.archive"]?.post;
    expect(operation?.operationId).toBe("notes.archive");
    expect(operation?.security).toEqual([
      { bearerJwt: ["notes:write"] },
      { apiKey: ["notes:write"] },
      { oauth2: ["notes:write"] },
      { sessionCookie: ["notes:write"] },
    ]);
    expect(operation?.requestBody).toMatchObject({
      required: true,
      content: {
        "application/json": {
          schema: {
            properties: { json: { properties: { id: { type: "string", format: "uuid" } }, required: ["id"] } },
          },
        },
      },
    });
    expect(operation?.responses).toHaveProperty("403");
  });

  it("changes nothing else in the document", () => {
    const { "/api/trpc/notes.archive": added, ...rest } = after.paths;
    expect(added).toBeDefined();
    expect(rest).toEqual(before.paths);
    expect({ ...after, paths: {} }).toEqual({ ...before, paths: {} });
  });
});
