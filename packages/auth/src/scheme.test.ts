import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Unauthorized } from "./errors";
import { apiKeyHeader, bearer, challenge, cookie, customScheme } from "./scheme";

const auth = (value: string) => new Headers({ authorization: value });

/** A malformed credential header: 401 invalid_request (RFC 6750 §3.1), whatever the wording. */
function expectMalformed(extract: () => unknown) {
  let thrown: unknown;
  try {
    extract();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(Unauthorized);
  expect(thrown).toMatchObject({ status: 401, code: "invalid_request" });
}

describe("bearer", () => {
  const scheme = bearer();

  it("extracts token - scheme name in any case", () => {
    for (const name of ["Bearer", "bearer", "BEARER", "bEaReR"])
      expect(scheme.extract(auth(`${name} abc.def-_~+/=`))).toBe("abc.def-_~+/=");
  });

  it("returns null - no header, or another scheme", () => {
    expect(scheme.extract(new Headers())).toBeNull();
    expect(scheme.extract(auth("Basic dXNlcjpwYXNz"))).toBeNull();
    expect(scheme.extract(auth("Bearerabc"))).toBeNull();
  });

  it.each([
    ["empty token", "Bearer"],
    ["only spaces after the name", "Bearer    "],
    ["token with spaces", "Bearer a b"],
    ["two headers", "Bearer a, Bearer b"],
    ["bearer behind another credential", "Basic dXNlcjpwYXNz, Bearer b"],
    ["characters outside b64token", "Bearer a;b"],
  ])("rejects header - %s", (_, value) => {
    expectMalformed(() => scheme.extract(auth(value)));
  });

  it("rejects header - two Authorization headers appended", () => {
    const headers = new Headers();
    headers.append("authorization", "Bearer a");
    headers.append("authorization", "Bearer b");
    expectMalformed(() => scheme.extract(headers));
  });

  it("leaves the token to later schemes - accepts() says no", () => {
    expect(bearer({ accepts: (t) => !t.startsWith("gk_") }).extract(auth("Bearer gk_abc"))).toBeNull();
  });

  it("answers a challenge - realm and RFC 6750 error", () => {
    expect(scheme.challenge({ error: "invalid_token", errorDescription: 'bad "x"' })).toBe(
      'Bearer realm="gatehouse", error="invalid_token", error_description="bad \\"x\\""',
    );
  });

  it("never throws anything but Unauthorized - and never returns a token with whitespace (property)", () => {
    const value = fc.oneof(
      fc.string({ unit: "binary-ascii" }),
      fc.string({ unit: "binary-ascii" }).map((s) => `Bearer ${s}`),
      fc
        .tuple(
          fc.constantFrom("bearer", "BEARER", "Bearer"),
          fc.constantFrom(" ", "\t", "  ", ""),
          fc.string({ unit: "binary-ascii" }),
        )
        .map(([name, gap, token]) => `${name}${gap}${token}`),
      fc
        .array(fc.stringMatching(/^[A-Za-z0-9._~+/-]{0,12}$/), { maxLength: 3 })
        .map((parts) => `Bearer ${parts.join(" ")}`),
    );
    fc.assert(
      fc.property(value, (header) => {
        let headers: Headers;
        try {
          headers = auth(header);
        } catch {
          return; // not a valid header value at all: fetch would refuse it before us
        }
        try {
          const token = scheme.extract(headers) as string | null; // bearer() is synchronous
          if (token !== null) {
            expect(token).not.toMatch(/\s/);
            expect(token.length).toBeGreaterThan(0);
          }
        } catch (error) {
          expect(error).toBeInstanceOf(Unauthorized);
          expect(error).toMatchObject({ status: 401, code: "invalid_request" });
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe("apiKeyHeader", () => {
  it("extracts key - default X-API-Key header", () => {
    expect(apiKeyHeader().extract(new Headers({ "x-api-key": "gk_abc" }))).toBe("gk_abc");
    expect(apiKeyHeader("X-Key").extract(new Headers({ "x-key": "k" }))).toBe("k");
  });

  it("rejects header - empty, two keys", () => {
    expectMalformed(() => apiKeyHeader().extract(new Headers({ "x-api-key": "" })));
    const two = new Headers();
    two.append("x-api-key", "a");
    two.append("x-api-key", "b");
    expectMalformed(() => apiKeyHeader().extract(two));
  });
});

describe("cookie", () => {
  it("extracts value - named cookie among others; empty counts as absent", () => {
    const scheme = cookie("session");
    expect(scheme.extract(new Headers({ cookie: "a=1; session=xyz; b=2" }))).toBe("xyz");
    expect(scheme.extract(new Headers({ cookie: "session=" }))).toBeNull();
    expect(scheme.challenge()).toBeNull();
  });

  it("refuses two cookies of its name - a tossed cookie from a sibling subdomain sits beside ours", () => {
    const scheme = cookie("__Host-session");
    for (const header of [
      "__Host-session=ours; __Host-session=tossed",
      "__Host-session=same; __Host-session=same",
      "__Host-session=; __Host-session=tossed",
      "a=1;__Host-session=ours;b=2; __Host-session =tossed",
      // Two Cookie header lines joined by a proxy or by `Headers`.
      "__Host-session=ours, __Host-session=tossed",
    ]) {
      expect(() => scheme.extract(new Headers({ cookie: header })), header).toThrow(Unauthorized);
    }
    const joined = new Headers();
    joined.append("cookie", "__Host-session=ours");
    joined.append("cookie", "__Host-session=tossed");
    expect(() => scheme.extract(joined)).toThrow(Unauthorized);
  });

  it("refuses any pair of its cookies, whatever their values and neighbours - property", () => {
    const value = fc.stringMatching(/^[A-Za-z0-9._~+/=-]{0,40}$/);
    const other = fc.tuple(fc.constantFrom("a", "b", "session2", "xsession"), value).map(([k, v]) => `${k}=${v}`);
    fc.assert(
      fc.property(value, value, fc.array(other, { maxLength: 4 }), (first, second, neighbours) => {
        const pairs = [...neighbours, `session=${first}`, `session=${second}`];
        expect(() => cookie("session").extract(new Headers({ cookie: pairs.join("; ") }))).toThrow(Unauthorized);
        // One of them alone is read as usual.
        const single = cookie("session").extract(
          new Headers({ cookie: [...neighbours, `session=${first}`].join("; ") }),
        );
        expect(single).toBe(first === "" ? null : first);
      }),
    );
  });

  it("rejects options - invalid cookie name", () => {
    expect(() => cookie("a b")).toThrow(TypeError);
  });
});

describe("customScheme and challenge", () => {
  it("extracts with an async function", async () => {
    const scheme = customScheme("query-free", async (headers) => headers.get("x-custom"));
    expect(await scheme.extract(new Headers({ "x-custom": "v" }))).toBe("v");
  });

  it("escapes parameters - quotes, backslashes, CR/LF, non-ASCII", () => {
    expect(challenge("Bearer", { realm: 'a"b\\c\r\nd€', error: undefined })).toBe('Bearer realm="a\\"b\\\\c  d?"');
  });
});
