import { redirect } from "next/navigation";
import { api } from "~/trpc/server";

export const dynamic = "force-dynamic";

export default async function Home() {
  const session = await (await api()).auth.session();
  redirect(session ? "/account" : "/login");
}
