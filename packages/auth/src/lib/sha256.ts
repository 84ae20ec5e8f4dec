import * as nodeCrypto from "node:crypto";

/**
 * Hex SHA-256 of a string's UTF-8 bytes, synchronously. `crypto.hash` (Node ≥ 20.12) is the
 * one-shot form: several times cheaper than a Hash object for a short input, and API keys
 * hash on every request. Older Node falls back.
 */
export const sha256Hex: (text: string) => string =
  typeof nodeCrypto.hash === "function"
    ? (text) => nodeCrypto.hash("sha256", text, "hex")
    : (text) => nodeCrypto.createHash("sha256").update(text).digest("hex");
