import { describe, expect, it } from "vitest";
import { waitText } from "./credentials";

describe("waitText", () => {
  it("says how long a throttled form waits, rounded up to minutes past one minute", () => {
    expect(waitText(1)).toBe("1 second");
    expect(waitText(45)).toBe("45 seconds");
    expect(waitText(60)).toBe("1 minute");
    expect(waitText(61)).toBe("2 minutes");
    expect(waitText(900)).toBe("15 minutes");
  });
});
