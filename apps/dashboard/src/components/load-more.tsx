"use client";
import { Loader2 } from "lucide-react";
import { Button } from "@/components/ui/button";

/** The next page of a keyset-paginated admin list, on demand. */
export function LoadMore({ query, noun }: { query: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown }; noun: string }) {
  if (!query.hasNextPage) return null;
  return (
    <div className="flex justify-center">
      <Button variant="outline" size="sm" onClick={() => query.fetchNextPage()} disabled={query.isFetchingNextPage} data-testid="load-more">
        {query.isFetchingNextPage && <Loader2 className="animate-spin" />} Load more {noun}
      </Button>
    </div>
  );
}
