import { describe, expect, it } from "vitest";
import { readBody } from "./read-body";

function post(body: BodyInit | null, headers: Record<string, string> = {}) {
  return new Request("http://localhost/x", { method: "POST", body, headers, duplex: "half" } as RequestInit);
}

function stream(...chunks: string[]) {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
      controller.close();
    },
  });
}

describe("readBody", () => {
  it("joins a streamed body's chunks", async () => {
    expect(new TextDecoder().decode((await readBody(post(stream("ab", "cd", "e")), 10)) ?? undefined)).toBe("abcde");
  });

  it("reads no body as empty", async () => {
    expect(await readBody(post(null), 10)).toEqual(new Uint8Array(0));
  });

  it("refuses body - declared larger than the limit, without reading it", async () => {
    expect(await readBody(post("x".repeat(11), { "content-length": "11" }), 10)).toBeNull();
  });

  it("refuses body - undeclared and running past the limit", async () => {
    expect(await readBody(post(stream("12345", "67890", "1")), 10)).toBeNull();
    expect(await readBody(post(stream("12345", "67890")), 10)).not.toBeNull();
  });
});
