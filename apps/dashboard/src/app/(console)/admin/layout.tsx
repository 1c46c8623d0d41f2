import { PageHeader } from "@/components/app-shell";
import { getMe } from "@/features/auth/server";
import { AdminNav } from "@/features/admin/components/admin-nav";
import { Forbidden } from "@/features/admin/components/forbidden";

export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  const me = await getMe();
  return (
    <>
      <PageHeader title="Admin" description="Operators, API keys for services, and the audit log of every privileged change.">
        {me?.role === "admin" && <AdminNav />}
      </PageHeader>
      {me?.role === "admin" ? children : <Forbidden role={me?.role} />}
    </>
  );
}
