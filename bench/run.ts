/**
 * Runs every bench module below, prints each section and writes RESULTS.md.
 * Usage: `pnpm bench` (all), `pnpm bench jwt` (modules whose path contains "jwt").
 * To add a bench: one line in MODULES; the module exports
 * `run(): Promise<{ title: string; table: string; notes?: string }>`.
 */
import { readFile, writeFile } from "node:fs/promises";
import { availableParallelism, cpus } from "node:os";

export interface BenchResult {
  title: string;
  table: string;
  notes?: string;
}

const MODULES: ReadonlyArray<readonly [string, () => Promise<{ run(): Promise<BenchResult> }>]> = [
  ["./jwt-verify.ts", () => import("./jwt-verify")],
  ["./api-key-verify.ts", () => import("./api-key-verify")],
  ["./cache-memory.ts", () => import("./cache-memory")],
];

const filter = process.argv[2];
const sections: string[] = [];
let failed = false;
for (const [path, load] of MODULES) {
  if (filter && !path.includes(filter)) continue;
  console.log(`\n▶ ${path}`);
  let section: string;
  try {
    const result = await (await load()).run();
    section = [
      `## ${result.title}`,
      "",
      `Module: \`${path}\``,
      "",
      result.table,
      ...(result.notes ? ["", result.notes] : []),
    ].join("\n");
  } catch (error) {
    failed = true;
    section = `## ${path}\n\nFailed: ${error instanceof Error ? error.message : String(error)}`;
  }
  console.log(section);
  sections.push(section);
}

const machine = `Node ${process.version}, ${availableParallelism()} CPUs (${cpus()[0]?.model.trim() ?? "unknown"}), ${process.platform}/${process.arch}`;
const header = [
  "# Benchmark results",
  "",
  `- Date: ${new Date().toISOString()}`,
  `- Machine: ${machine}`,
  `- Command: \`pnpm bench${filter ? ` ${filter}` : ""}\` (in \`bench/\`)`,
  "",
  "Timings drift ±20–30% within a minute on these machines: compare ratios taken in the same run.",
  "What each miss is, with the measurement behind it: [READING.md](READING.md) (by hand; this file is rewritten by every run).",
];
// `pnpm bench:http` writes its own block (http/run.ts); a micro run keeps it.
const resultsFile = new URL("./RESULTS.md", import.meta.url);
const previous = await readFile(resultsFile, "utf8").catch(() => "");
const httpBlock = /<!-- bench:http -->[\s\S]*<!-- \/bench:http -->/.exec(previous)?.[0];
await writeFile(resultsFile, `${[header.join("\n"), ...sections, ...(httpBlock ? [httpBlock] : [])].join("\n\n")}\n`);
console.log("\nWrote bench/RESULTS.md");
if (failed) process.exitCode = 1;
