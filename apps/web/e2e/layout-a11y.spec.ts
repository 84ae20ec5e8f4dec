/**
 * Every page, at a phone's width (360 px) and a desktop's, in light and dark schemes: no
 * sideways page scroll, no accessibility violation axe-core finds (WCAG 2.0/2.1 A and AA),
 * and a visible focus outline on every keyboard stop. Add a page to PAGES and it is checked
 * in all four ways.
 */
import { AxeBuilder } from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { expect, signIn, test } from "./fixtures";

interface PageToCheck {
  path: string;
  /** Signed in, or signed out. */
  signedIn: boolean;
  /** Where the visit ends (a redirect); default: `path`. */
  lands?: RegExp;
  /** The document's status when not 200 (the browser logs it as a failed resource). */
  status?: number;
  /** Rendered after load by a script: wait for this selector before measuring. */
  ready?: string;
  /**
   * `false`: markup we do not write (Swagger UI on /docs fails axe's color-contrast and
   * select-name rules in its own stylesheet): checked for sideways scroll only.
   */
  audit?: false;
}

const PAGES: PageToCheck[] = [
  { path: "/", signedIn: false, lands: /\/login$/ },
  { path: "/login", signedIn: false },
  { path: "/signup", signedIn: false },
  { path: "/no-such-page", signedIn: false, status: 404 },
  { path: "/scopes", signedIn: false },
  { path: "/docs", signedIn: false, ready: ".swagger-ui .opblock", audit: false },
  { path: "/", signedIn: true, lands: /\/account$/ },
  { path: "/account", signedIn: true },
  { path: "/notes", signedIn: true },
  { path: "/api-keys", signedIn: true },
  { path: "/no-such-page", signedIn: true, status: 404 },
];

const VIEWPORTS = [
  { name: "phone", width: 360, height: 740 },
  { name: "desktop", width: 1280, height: 800 },
] as const;
const SCHEMES = ["light", "dark"] as const;
const WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
/** Enough Tab presses to reach every control on our pages. */
const MAX_TAB_STOPS = 25;

async function expectNoSidewaysScroll(page: Page, label: string) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  expect(scrollWidth, `${label}: page is ${scrollWidth}px wide in a ${innerWidth}px window`).toBeLessThanOrEqual(
    innerWidth,
  );
}

async function expectNoAxeViolations(page: Page, label: string) {
  const { violations } = await new AxeBuilder({ page }).withTags(WCAG_AA).analyze();
  const found = violations.map((violation) => ({
    rule: violation.id,
    impact: violation.impact,
    nodes: violation.nodes.map((node) => node.target.join(" ")),
  }));
  expect(found, `${label}: axe-core violations`).toEqual([]);
}

/** Tabs through the page: every focused element draws an outline (or the browser's ring). */
async function expectVisibleFocus(page: Page, label: string) {
  // A fresh load: focus starts at the top of the document.
  for (let stop = 0; stop < MAX_TAB_STOPS; stop++) {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => {
      const element = document.activeElement;
      if (!element || element === document.body) return null;
      const style = getComputedStyle(element);
      return {
        what: `${element.tagName.toLowerCase()} "${(element.textContent ?? "").trim().slice(0, 30)}"`,
        visible: style.outlineStyle !== "none" && Number.parseFloat(style.outlineWidth) >= 2,
      };
    });
    if (!focused) break; // Past the last control.
    expect(focused.visible, `${label}: focus on ${focused.what} has no visible outline`).toBe(true);
  }
}

/** Ensures the keys table has a row, so its width is measured (it overflowed to 662 px before). */
async function ensureAnApiKey(page: Page) {
  await page.goto("/api-keys");
  await page.waitForLoadState("networkidle");
  if (await page.getByRole("table").count()) return;
  await page.getByLabel("Name").fill("layout check");
  await page.getByRole("button", { name: "Create key" }).click();
  await expect(page.getByTestId("new-api-key")).toBeVisible();
}

for (const viewport of VIEWPORTS) {
  for (const scheme of SCHEMES) {
    for (const signedIn of [false, true]) {
      const who = signedIn ? "signed in" : "signed out";
      test(`every page fits, passes axe and shows focus - ${viewport.name} ${viewport.width}px, ${scheme}, ${who}`, async ({
        page,
        consoleErrors,
      }) => {
        // Up to six pages, each measured and audited four ways, on a loaded 2-core machine.
        test.setTimeout(300_000);
        await page.setViewportSize({ width: viewport.width, height: viewport.height });
        await page.emulateMedia({ colorScheme: scheme });
        if (signedIn) {
          await signIn(page);
          await ensureAnApiKey(page);
        }
        for (const entry of PAGES.filter((candidate) => candidate.signedIn === signedIn)) {
          const label = `${entry.path} (${viewport.name}, ${scheme}, ${who})`;
          const response = await page.goto(entry.path);
          expect(response?.status(), label).toBe(entry.status ?? 200);
          await page.waitForLoadState("networkidle");
          if (entry.ready) await expect(page.locator(entry.ready).first(), label).toBeVisible({ timeout: 60_000 });
          await expect(page).toHaveURL(entry.lands ?? new RegExp(`${entry.path.replace(/\//g, "\\/")}$`));
          await expectNoSidewaysScroll(page, label);
          if (entry.audit === false) continue;
          await expectNoAxeViolations(page, label);
          await expectVisibleFocus(page, label);
        }
        // The browser reports a 404 document as a failed resource: expected here, nothing else is.
        const expected = /^Failed to load resource: the server responded with a status of 404/;
        consoleErrors.splice(0, consoleErrors.length, ...consoleErrors.filter((text) => !expected.test(text)));
      });
    }
  }
}

test("at 360 px the navigation is a menu that opens and is used by keyboard alone", async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await signIn(page);
  const nav = page.getByRole("navigation", { name: "Main" });
  // Folded: the page links are not shown until the menu opens.
  await expect(nav.getByRole("link", { name: "Notes" })).toBeHidden();
  const menu = nav.locator("summary", { hasText: "Menu" });
  for (let stop = 0; stop < MAX_TAB_STOPS && !(await menu.evaluate((el) => el === document.activeElement)); stop++) {
    await page.keyboard.press("Tab");
  }
  await expect(menu).toBeFocused();
  await page.keyboard.press("Enter");
  const notes = nav.getByRole("link", { name: "Notes" });
  await expect(notes).toBeVisible();
  await expectNoSidewaysScroll(page, "open menu");
  for (let stop = 0; stop < MAX_TAB_STOPS && !(await notes.evaluate((el) => el === document.activeElement)); stop++) {
    await page.keyboard.press("Tab");
  }
  await expect(notes).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/notes$/);
  await expect(page.getByRole("heading", { name: "Notes", level: 1 })).toBeVisible();
});
