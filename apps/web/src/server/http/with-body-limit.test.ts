import { describe, expect, it } from "vitest";
import { countedBody } from "~/test/counted-body";
import { withBodyLimit } from "./with-body-limit";

function post(body: string | ReadableStream<Uint8Array>, headers: Record<string, string> = {}) {
  return new Request("http://localhost/x", { method: "POST", body, headers, duplex: "half" } as RequestInit);
}

describe("withBodyLimit", () => {
  it("passes a small body through intact", async () => {
    const result = await withBodyLimit(post("hello"), 10);
    expect(result).toBeInstanceOf(Request);
    expect(await (result as Request).text()).toBe("hello");
  });

  it("refuses a declared oversized body unread - 413 problem", async () => {
    const body = countedBody();
    const result = (await withBodyLimit(post(body.stream, { "content-length": "11" }), 10)) as Response;
    expect(result.status).toBe(413);
    expect(result.headers.get("content-type")).toBe("application/problem+json");
    expect(body.pulls()).toBe(0);
  });

  it("refuses an undeclared (streamed) oversized body - 413", async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 5; i++) controller.enqueue(new Uint8Array(4));
        controller.close();
      },
    });
    const result = (await withBodyLimit(post(stream), 10)) as Response;
    expect(result.status).toBe(413);
  });

  it("leaves a GET alone", async () => {
    const request = new Request("http://localhost/x");
    expect(await withBodyLimit(request, 10)).toBe(request);
  });
});
