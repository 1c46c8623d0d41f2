import Link from "next/link";
import { ChevronLeft } from "lucide-react";
import { PageHeader } from "@/components/app-shell";
import { HydrateClient, getQueryClient, serverTRPC } from "@/lib/trpc/server";
import { FitDetail } from "@/features/fits/components/fit-detail";

export const metadata = { title: "Fit run" };

export default async function FitPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const trpc = await serverTRPC();
  await getQueryClient().prefetchQuery(trpc.fits.get.queryOptions({ id }));
  return (
    <>
      <PageHeader
        title={
          <span className="flex items-center gap-2">
            <Link href="/fits" className="text-muted-foreground hover:text-foreground" aria-label="All fits"><ChevronLeft className="size-4" /></Link>
            Fit run <span className="font-mono text-sm font-normal text-muted-foreground">{id}</span>
          </span>
        }
      />
      <HydrateClient>
        <FitDetail id={id} />
      </HydrateClient>
    </>
  );
}
