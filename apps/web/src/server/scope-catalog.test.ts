import { describe, expect, it } from "vitest";
import { appRouter } from "./routers/_app";
import { scopeCatalog } from "./scope-catalog";
import { scopeDescriptions, scopes } from "./scopes";

describe("scope catalog (the /scopes page)", () => {
  const catalog = scopeCatalog(appRouter);

  it("lists every registry scope, in order, with its description", () => {
    expect(catalog.map((entry) => entry.scope)).toEqual([...scopes.all]);
    for (const entry of catalog) expect(entry.description).toBe(scopeDescriptions[entry.scope]);
  });

  it("names the procedures whose meta.auth requires each scope", () => {
    const of = (scope: string) => catalog.find((entry) => entry.scope === scope);
    expect(of("notes:write")?.requiredBy).toEqual(["notes.create", "notes.update", "notes.delete"]);
    expect(of("notes:read")?.requiredBy).toEqual(["notes.list", "notes.get"]);
    expect(of("tokens:introspect")?.requiredBy).toEqual([]);
  });

  it("counts what a scope implies: notes:write alone may also list and get", () => {
    const write = catalog.find((entry) => entry.scope === "notes:write");
    expect(write?.callable).toEqual(["notes.list", "notes.get", "notes.create", "notes.update", "notes.delete"]);
  });
});
