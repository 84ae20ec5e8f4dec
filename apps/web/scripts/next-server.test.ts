import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { nextArguments } from "./next-server.mjs";

describe("nextArguments (pnpm dev / pnpm start)", () => {
  it("binds to loopback by default - unset or empty GATEHOUSE_HOSTNAME", () => {
    for (const environment of [{}, { GATEHOUSE_HOSTNAME: "" }, { GATEHOUSE_HOSTNAME: "  " }]) {
      expect(nextArguments("dev", ["--port", "3000"], environment)).toEqual([
        "dev",
        "--port",
        "3000",
        "--hostname",
        "127.0.0.1",
      ]);
    }
    expect(nextArguments("start", [], {})).toEqual(["start", "--hostname", "127.0.0.1"]);
  });

  it("binds to all interfaces only when the operator opts in", () => {
    expect(nextArguments("start", [], { GATEHOUSE_HOSTNAME: "0.0.0.0" })).toEqual(["start", "--hostname", "0.0.0.0"]);
    expect(nextArguments("dev", [], { GATEHOUSE_HOSTNAME: "::" })).toEqual(["dev", "--hostname", "::"]);
  });

  it("keeps a hostname given on the command line", () => {
    expect(nextArguments("start", ["-H", "::1"], {})).toEqual(["start", "-H", "::1"]);
    expect(nextArguments("start", ["--hostname=::1"], {})).toEqual(["start", "--hostname=::1"]);
  });

  it("refuses a value that is not an address - it would become another option", () => {
    expect(() => nextArguments("dev", [], { GATEHOUSE_HOSTNAME: "--inspect" })).toThrow(/GATEHOUSE_HOSTNAME/);
    expect(() => nextArguments("dev", [], { GATEHOUSE_HOSTNAME: "a b" })).toThrow(/GATEHOUSE_HOSTNAME/);
    expect(() => nextArguments("build", [], {})).toThrow(/dev or start/);
  });

  it("is what the package scripts run - no script starts Next on every interface", () => {
    const { scripts } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(scripts.dev).toBe("node scripts/next-server.mjs dev --port 3000");
    expect(scripts.start).toBe("node scripts/next-server.mjs start --port 3000");
    expect(Object.values(scripts).filter((script) => /\bnext (dev|start)\b/.test(script))).toEqual([]);
  });
});

describe("docker-compose.yml", () => {
  it("publishes Postgres and the app on loopback only - host:port:container", () => {
    const compose = readFileSync(new URL("../../../docker-compose.yml", import.meta.url), "utf8");
    const published = [...compose.matchAll(/^\s*-\s*"?([^"\n]+?)"?\s*$/gm)]
      .map((match) => match[1] ?? "")
      .filter((entry) => /^[\d.:[\]]+$/.test(entry) && entry.includes(":"));
    expect(published).toEqual(["127.0.0.1:5432:5432", "127.0.0.1:3000:3000"]);
  });
});
