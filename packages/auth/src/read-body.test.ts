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

/** An endless body that counts how often it is read from (highWaterMark 0: never before a read). */
function untouched() {
  let pulls = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        pulls++;
        controller.enqueue(new Uint8Array(4));
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, pulls: () => pulls };
}

describe("readBody", () => {
  it("joins a streamed body's chunks", async () => {
    expect(new TextDecoder().decode((await readBody(post(stream("ab", "cd", "e")), 10)) ?? undefined)).toBe("abcde");
  });

  it("reads no body as empty", async () => {
    expect(await readBody(post(null), 10)).toEqual(new Uint8Array(0));
  });

  it("refuses body - declared larger than the limit, without reading it", async () => {
    const body = untouched();
    const request = post(body.stream, { "content-length": "11" });
    expect(request.headers.get("content-length")).toBe("11");
    expect(await readBody(request, 10)).toBeNull();
    expect(body.pulls()).toBe(0);
  });

  it("refuses body - undeclared and running past the limit", async () => {
    expect(await readBody(post(stream("12345", "67890", "1")), 10)).toBeNull();
    expect(await readBody(post(stream("12345", "67890")), 10)).not.toBeNull();
  });
});
