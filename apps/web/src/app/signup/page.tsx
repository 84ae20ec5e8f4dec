import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { PASSWORD_MIN_LENGTH } from "~/server/password-policy";
import { api } from "~/trpc/server";
import { SignUpForm } from "./signup-form";

export const metadata: Metadata = { title: "Create an account" };
export const dynamic = "force-dynamic";

export default async function SignUpPage() {
  const caller = await api();
  if (await caller.auth.session()) redirect("/account");
  return (
    <main>
      <h1>Create an account</h1>
      <div className="card">
        <SignUpForm minLength={PASSWORD_MIN_LENGTH} />
      </div>
      <p>
        Already have an account? <Link href="/login">Sign in instead</Link>
      </p>
    </main>
  );
}
