/**
 * What the logger writes: JSON lines with the request id, and never a credential, cookie,
 * hash of a secret or bound SQL parameter, however it is handed one.
 */
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "./logger";
import { withRequestId } from "./request-context";

function capture() {
  const written: string[] = [];
  const logger = createLogger({ level: "trace", destination: { write: (line: string) => void written.push(line) } });
  return { logger, written, lines: () => written.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

// Each secret is unique, so a leak is found wherever in the line it lands.
const SECRETS = {
  password: "pw-correct-horse-1",
  newPassword: "pw-new-battery-2",
  passwordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
  keyHash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
  apiKey: "gk_test_AAAAbbbbCCCCddddEEEEffffGGGGhhhhIIIIjjjjKKKKllll",
  jwt: "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ",
  refreshToken: "rt-opaque-refresh-3",
  cookie: "gatehouse_session=cookie-value-4",
  setCookie: "gatehouse_refresh=cookie-value-5; HttpOnly",
  clientSecret: "client-secret-6",
  sqlParam: "ada-param@example.com",
};

describe("the logger's redaction", () => {
  it("writes none of the secrets, in any field, header, error, message or nesting", () => {
    const { logger, written } = capture();
    const headers = new Headers({
      authorization: `Bearer ${SECRETS.jwt}`,
      "x-api-key": SECRETS.apiKey,
      cookie: SECRETS.cookie,
      "user-agent": "curl/8",
    });
    const drizzleError = Object.assign(
      new Error(`Failed query: select * from users where email = $1\nparams: ${SECRETS.sqlParam}`, {
        cause: Object.assign(new Error("relation does not exist"), {
          name: "PostgresError",
          code: "42P01",
          parameters: [SECRETS.sqlParam],
        }),
      }),
      { name: "DrizzleQueryError", query: "select * from users where email = $1", params: [SECRETS.sqlParam] },
    );
    logger.info(
      {
        password: SECRETS.password,
        body: { newPassword: SECRETS.newPassword, nested: { deeper: [{ client_secret: SECRETS.clientSecret }] } },
        user: { email: "ok@example.com", passwordHash: SECRETS.passwordHash },
        row: { key_hash: SECRETS.keyHash },
        headers,
        response: { headers: { "set-cookie": SECRETS.setCookie } },
        tokens: { refresh_token: SECRETS.refreshToken },
        params: [SECRETS.sqlParam],
        err: drizzleError,
        note: `the caller sent ${SECRETS.apiKey} and Bearer ${SECRETS.jwt}`,
      },
      `message mentions ${SECRETS.apiKey} and ${SECRETS.passwordHash}`,
    );
    logger.error(drizzleError);
    const text = written.join("");
    for (const [name, secret] of Object.entries(SECRETS)) expect(text, name).not.toContain(secret);
    // What is not secret survives: the line is still useful.
    expect(text).toContain("ok@example.com");
    expect(text).toContain("curl/8");
    expect(text).toContain("42P01");
    expect(text).toContain("select * from users where email = $1");
  });

  it("puts the request id on every line written inside a request, and none outside", async () => {
    const { logger, lines } = capture();
    logger.info("start-up");
    await withRequestId("req-abcdef12", async () => {
      logger.info("one");
      await Promise.resolve();
      logger.child({ component: "x" }).warn({ detail: 1 }, "two");
    });
    expect(lines().map((line) => [line.msg, line.requestId])).toEqual([
      ["start-up", undefined],
      ["one", "req-abcdef12"],
      ["two", "req-abcdef12"],
    ]);
    expect(lines()[1]).toMatchObject({ level: "info", service: "gatehouse", time: expect.any(String) });
  });

  it("writes readable lines, not JSON, in the pretty format, in-process (no worker thread)", async () => {
    let text = "";
    const done = new Promise<void>((resolve) => {
      const destination = new Writable({
        write(chunk, _encoding, callback) {
          text += String(chunk);
          callback();
          if (text.includes("\n")) resolve();
        },
      });
      const logger = createLogger({ format: "pretty", destination: destination as never });
      withRequestId("req-pretty-1", () => logger.info({ password: SECRETS.password }, "hello there"));
    });
    await done;
    expect(text).toMatch(/INFO.*hello there/);
    expect(text).toContain("req-pretty-1");
    expect(text).not.toContain(SECRETS.password);
    expect(() => JSON.parse(text)).toThrow();
  });
});
