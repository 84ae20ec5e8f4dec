/**
 * Finds a repeated member name in any object of a JSON text. JSON.parse keeps the last
 * duplicate silently, so `{"sub":"alice","sub":"admin"}` would mean different things to
 * different parsers (RFC 7515 §5.2: reject duplicate header names; RFC 7519 §4: same for
 * claims). Call it on text that JSON.parse accepts; on other text the answer is meaningless.
 */
export function findDuplicateKey(json: string): string | undefined {
  // One set of seen names per open object, `null` for arrays.
  const stack: Array<Set<string> | null> = [];
  const length = json.length;
  for (let i = 0; i < length; i++) {
    const c = json.charCodeAt(i);
    if (c === 0x7b /* { */) stack.push(new Set());
    else if (c === 0x5b /* [ */) stack.push(null);
    else if (c === 0x7d /* } */ || c === 0x5d /* ] */) stack.pop();
    else if (c === 0x22 /* " */) {
      const start = i;
      // Jump from quote to quote; a quote preceded by an odd run of backslashes is escaped.
      for (;;) {
        i = json.indexOf('"', i + 1);
        if (i === -1) return undefined; // unterminated: not JSON, the parser refuses it
        let backslashes = 0;
        while (json.charCodeAt(i - 1 - backslashes) === 0x5c) backslashes++;
        if (backslashes % 2 === 0) break;
      }
      const top = stack[stack.length - 1];
      if (!top || !isFollowedByColon(json, i + 1)) continue;
      // `"a"` and `"\u0061"` are the same name.
      const raw = json.slice(start + 1, i);
      let name = raw;
      if (raw.includes("\\")) {
        try {
          name = JSON.parse(`"${raw}"`) as string;
        } catch {
          return undefined; // a bad escape: not JSON, the parser refuses it
        }
      }
      if (top.has(name)) return name;
      top.add(name);
    }
  }
  return undefined;
}

function isFollowedByColon(json: string, from: number): boolean {
  for (let i = from; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c === 0x3a /* : */) return true;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
  }
  return false;
}
