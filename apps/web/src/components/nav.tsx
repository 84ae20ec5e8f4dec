import Link from "next/link";
import { signOut } from "~/app/login/actions";

/** The signed-in pages, in menu order: add a page here and both layouts of the bar get it. */
export const NAV_LINKS = [
  { href: "/account", label: "Account" },
  { href: "/notes", label: "Notes" },
  { href: "/api-keys", label: "API keys" },
] as const;

/**
 * The top bar. Wide screens show the links in a row; narrow ones (globals.css, 40rem) fold
 * them into a `<details>` menu: a native disclosure, so it opens by keyboard (Enter/Space on
 * its summary) and by touch with no script — the page's CSP allows none of ours inline.
 * Only one of the two is displayed at a time (`display: none` hides the other from
 * assistive technology too).
 */
export function Nav({ email }: { email?: string | undefined }) {
  return (
    <nav aria-label="Main">
      <Link href="/" className="brand">
        <strong>Gatehouse</strong>
      </Link>
      {email ? (
        <>
          <div className="nav-wide">
            <NavItems email={email} />
          </div>
          <details className="nav-menu">
            <summary>Menu</summary>
            <div className="nav-menu-panel">
              <NavItems email={email} />
            </div>
          </details>
        </>
      ) : (
        <>
          <span className="spacer" />
          <Link href="/login">Sign in</Link>
        </>
      )}
    </nav>
  );
}

function NavItems({ email }: { email: string }) {
  return (
    <>
      {NAV_LINKS.map((link) => (
        <Link key={link.href} href={link.href}>
          {link.label}
        </Link>
      ))}
      <span className="spacer" />
      <span className="muted nav-email">{email}</span>
      <form action={signOut}>
        <button type="submit" className="secondary">
          Sign out
        </button>
      </form>
    </>
  );
}
