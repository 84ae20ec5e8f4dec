import Link from "next/link";
import { signOut } from "~/app/login/actions";

export function Nav({ email }: { email?: string | undefined }) {
  return (
    <nav aria-label="Main">
      <Link href="/">
        <strong>Gatehouse</strong>
      </Link>
      {email ? (
        <>
          <Link href="/account">Account</Link>
          <Link href="/notes">Notes</Link>
          <Link href="/api-keys">API keys</Link>
          <span className="spacer" />
          <span className="muted">{email}</span>
          <form action={signOut}>
            <button type="submit" className="secondary">
              Sign out
            </button>
          </form>
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
