/**
 * Collects every CSP violation a page of this browser context reports, into `violations`.
 * A binding survives navigations, so a violation during any page load reaches the test.
 */
import type { BrowserContext } from "@playwright/test";

export async function collectCspViolations(context: BrowserContext, violations: string[]): Promise<void> {
  await context.exposeBinding("reportCspViolation", (_source, report: string) => {
    violations.push(report);
  });
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      const report = `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`;
      (window as unknown as { reportCspViolation(report: string): void }).reportCspViolation(report);
    });
  });
}
