/**
 * Pure checks of command-line values, shared by the commands. Each throws `UsageError`
 * (exit 2) with a message naming the option.
 */
import { UsageError } from "./cli-error";

export function requireOption(value: string | undefined, name: string): string {
  const trimmed = value?.trim();
  if (!trimmed) throw new UsageError(`Missing --${name}`);
  return trimmed;
}

/** `"notes:read notes:write"` or `"notes:read,notes:write"` → each scope once, in order. */
export function parseScopesOption(value: string | undefined, isKnown: (scope: string) => boolean): string[] {
  const list = [
    ...new Set(
      requireOption(value, "scopes")
        .split(/[\s,]+/)
        .filter(Boolean),
    ),
  ];
  const unknown = list.filter((scope) => !isKnown(scope));
  if (unknown.length > 0) {
    throw new UsageError(`Unknown scope${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}`);
  }
  return list;
}

/** A whole number of days from 1 to `max`, or `undefined` when the option is absent. */
export function parseDays(value: string | undefined, option: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  const days = /^\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!(days >= 1 && days <= max)) throw new UsageError(`--${option} must be a whole number from 1 to ${max}`);
  return days;
}

/** 1 to 365 days (what the keys page allows), or `undefined` when absent (the 90-day default). */
export function parseExpiresInDays(value: string | undefined): number | undefined {
  return parseDays(value, "expires-in-days", 365);
}

export function parseKeyName(value: string | undefined): string {
  const name = requireOption(value, "name");
  if (name.length > 100) throw new UsageError("--name must be at most 100 characters");
  return name;
}

/** `2025-03-01 14:05:09Z`, or `-` for none: UTC, so two operators read the same time. */
export function formatTime(date: Date | null): string {
  return date
    ? date
        .toISOString()
        .replace("T", " ")
        .replace(/\.\d{3}Z$/, "Z")
    : "-";
}

/** Left-aligned columns, two spaces apart; the header is the first row. */
export function formatTable(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd(),
  );
}
