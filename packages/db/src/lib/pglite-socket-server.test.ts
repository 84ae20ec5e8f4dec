import { describe, expect, it } from "vitest";
import { BackendMessageReader } from "./pglite-socket-server";

function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, "latin1");
  header.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([header, body]);
}
const readyForQuery = (status: string) => message("Z", Buffer.from(status, "latin1"));
const notification = (channel: string, payload: string) =>
  message("A", Buffer.concat([Buffer.from([0, 0, 0, 7]), Buffer.from(`${channel}\0${payload}\0`)]));
const dataRow = (size: number) => message("D", Buffer.alloc(size, 0x41));

function readAll(chunks: Buffer[]) {
  const reader = new BackendMessageReader();
  const seen: string[] = [];
  for (const chunk of chunks) {
    reader.read(chunk, {
      onReadyForQuery: (status) => seen.push(`Z:${status}`),
      onNotification: (channel, payload) => seen.push(`A:${channel}:${payload}`),
    });
  }
  return seen;
}

describe("BackendMessageReader", () => {
  const stream = Buffer.concat([
    dataRow(100),
    notification("api_key_revoked", "abc"),
    readyForQuery("T"),
    dataRow(3),
    readyForQuery("I"),
  ]);
  const expected = ["A:api_key_revoked:abc", "Z:T", "Z:I"];

  it("finds ReadyForQuery and notifications in one chunk", () => {
    expect(readAll([stream])).toEqual(expected);
  });

  it("finds them whatever the chunk boundaries - bytes arrive cut anywhere", () => {
    for (const size of [1, 2, 3, 5, 7, 64]) {
      const chunks: Buffer[] = [];
      for (let at = 0; at < stream.length; at += size) chunks.push(stream.subarray(at, at + size));
      expect(readAll(chunks), `chunks of ${size}`).toEqual(expected);
    }
  });
});
