"use client";
import * as React from "react";
import { useInfiniteQuery, useMutation } from "@tanstack/react-query";
import { AlertTriangle, Ban, Check, Copy, KeyRound, Loader2, Plus } from "lucide-react";
import { useTRPC } from "@/lib/trpc/client";
import { useInvalidateAdmin } from "../use-invalidate-admin";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input, Label, Textarea } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableMessage, TableRow } from "@/components/ui/table";
import { Skeleton } from "@/components/ui/skeleton";
import { Tooltip } from "@/components/ui/tooltip";
import { useToast } from "@/components/ui/toast";
import { EmptyState, ErrorState, errorMessage } from "@/components/states";
import { RelativeTime } from "@/components/relative-time";
import { errorCode, inputIssues, issuesByField } from "@/lib/issues";
import { formatCount } from "@/lib/time";
import { ADMIN_PAGE, nextPage } from "@/lib/lists";
import { LoadMore } from "@/components/load-more";
import { cn } from "@/lib/utils";
import type { RouterOutputs } from "@/lib/trpc/types";
import type { Role } from "@/features/auth/role";
import { ROLE_HELP, ROLE_OPTIONS, RoleBadge } from "./role-badge";
import { WithArticle } from "@/lib/article";

type ApiKey = RouterOutputs["apiKeys"]["list"]["items"][number];
type CreatedKey = RouterOutputs["apiKeys"]["create"];

const EXPIRY_OPTIONS = [
  { value: "30", label: "in 30 days" },
  { value: "90", label: "in 90 days" },
  { value: "365", label: "in 1 year" },
  { value: "0", label: "never" },
];


export function ApiKeysView() {
  const trpc = useTRPC();
  const keys = useInfiniteQuery(trpc.apiKeys.list.infiniteQueryOptions(ADMIN_PAGE, { getNextPageParam: nextPage }));
  const list = React.useMemo(() => keys.data?.pages.flatMap((p) => p.items), [keys.data]);
  const [creating, setCreating] = React.useState(false);
  const [revoking, setRevoking] = React.useState<ApiKey | null>(null);
  const active = list?.filter((k) => k.status === "active").length ?? 0;
  const expired = list?.filter((k) => k.status === "expired").length ?? 0;

  return (
    <div className="space-y-3 p-6">
      <div className="flex flex-wrap items-center gap-2">
        <p className="text-sm text-muted-foreground">
          {list ? <>{formatCount(active)} active · {formatCount(expired)} expired · {formatCount(list.length - active - expired)} revoked{keys.hasNextPage ? " (of the keys loaded)" : ""} · services send <code className="rounded bg-muted px-1 py-0.5 font-mono text-xs">Authorization: Bearer mk_…</code></> : <Skeleton className="h-4 w-56" />}
        </p>
        <Button className="ml-auto" size="sm" onClick={() => setCreating(true)} data-testid="new-api-key-button">
          <Plus /> New API key
        </Button>
      </div>
      <div className="overflow-hidden rounded-lg border bg-card">
        <Table data-testid="api-keys-table">
          <TableHeader>
            <TableRow className="hover:bg-transparent">
              <TableHead>Name</TableHead>
              <TableHead>Role</TableHead>
              <TableHead>Prefix</TableHead>
              <TableHead>Created</TableHead>
              <TableHead>Last used</TableHead>
              <TableHead>Expires</TableHead>
              <TableHead>Status</TableHead>
              <TableHead className="w-28" />
            </TableRow>
          </TableHeader>
          <TableBody>
            {keys.isPending ? (
              Array.from({ length: 3 }, (_, i) => <TableRow key={i}><TableCell colSpan={8}><Skeleton className="h-5" /></TableCell></TableRow>)
            ) : keys.isError ? (
              <TableMessage colSpan={8}><ErrorState error={keys.error} retry={() => keys.refetch()} className="py-2" /></TableMessage>
            ) : !list || list.length === 0 ? (
              <TableMessage colSpan={8}>
                <EmptyState title="No API keys" className="py-2">Services and scripts call the API with a key; create one with “New API key”.</EmptyState>
              </TableMessage>
            ) : (
              list.map((k) => (
                <TableRow key={k.id} data-testid="api-key-row" data-name={k.name} className={cn(k.status !== "active" && "text-muted-foreground")}>
                  <TableCell className="font-medium"><span className="inline-flex items-center gap-1.5"><KeyRound className="size-3.5 text-muted-foreground" /> {k.name}</span></TableCell>
                  <TableCell><RoleBadge role={k.role} /></TableCell>
                  <TableCell className="font-mono text-xs">{k.prefix}…</TableCell>
                  <TableCell className="text-xs whitespace-nowrap">
                    <RelativeTime date={k.createdAt} className="text-muted-foreground" /> <span className="text-muted-foreground">by {k.createdBy}{k.ownerEmail && k.createdBy !== k.ownerEmail ? ` for ${k.ownerEmail}` : ""}</span>
                  </TableCell>
                  <TableCell className="text-xs whitespace-nowrap">{k.lastUsedAt ? <RelativeTime date={k.lastUsedAt} className="text-muted-foreground" /> : <span className="text-muted-foreground">never</span>}</TableCell>
                  <TableCell className="text-xs whitespace-nowrap" data-testid="api-key-expires">{k.expiresAt ? <RelativeTime date={k.expiresAt} className="text-muted-foreground" /> : <span className="text-muted-foreground">never</span>}</TableCell>
                  <TableCell data-testid="api-key-status">
                    {k.status === "expired" ? (
                      <Badge variant="secondary">expired</Badge>
                    ) : k.revokedAt ? (
                      <span className="inline-flex items-center gap-1.5 text-xs whitespace-nowrap">
                        <Badge variant="destructive">revoked</Badge>
                        <RelativeTime date={k.revokedAt} className="text-muted-foreground" />
                        {k.revokedBy && <span className="text-muted-foreground">by {k.revokedBy}</span>}
                      </span>
                    ) : (
                      <Badge variant="success">active</Badge>
                    )}
                  </TableCell>
                  <TableCell className="py-1 text-right">
                    {k.status !== "revoked" && (
                      <Button variant="outline" size="sm" onClick={() => setRevoking(k)} aria-label={`Revoke ${k.name}`}>
                        <Ban /> Revoke
                      </Button>
                    )}
                  </TableCell>
                </TableRow>
              ))
            )}
          </TableBody>
        </Table>
      </div>
      <LoadMore query={keys} noun="keys" />
      {creating && <CreateKeyDialog onClose={() => setCreating(false)} />}
      {revoking && <RevokeKeyDialog apiKey={revoking} onClose={() => setRevoking(null)} />}
    </div>
  );
}

function CreateKeyDialog({ onClose }: { onClose: () => void }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateAdmin("apiKeys");
  const [name, setName] = React.useState("");
  const [role, setRole] = React.useState<Role>("viewer");
  const [expiry, setExpiry] = React.useState<string>("90");
  // The key lives only in this component's state: closing the dialog forgets it.
  const [created, setCreated] = React.useState<CreatedKey | null>(null);
  const create = useMutation(
    trpc.apiKeys.create.mutationOptions({
      onSuccess: async (key) => {
        setCreated(key);
        await invalidate();
      },
    }),
  );
  const issues = create.isError ? issuesByField(inputIssues(create.error)) : {};
  // A name taken by another live key of yours is a CONFLICT: shown under the name.
  const fields = errorCode(create.error) === "CONFLICT" ? { ...issues, name: errorMessage(create.error) } : issues;
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return;
    const days = Number(expiry);
    create.mutate({ name: name.trim(), role, ...(days > 0 ? { expiresAt: new Date(Date.now() + days * 86_400_000) } : {}) });
  };
  return (
    <Dialog open onOpenChange={(open) => !open && onClose()}>
      <DialogContent
        data-testid="create-api-key-dialog"
        // Once the key is shown, only "Done" closes: a stray click outside must not lose it.
        onInteractOutside={(e) => created && e.preventDefault()}
      >
        {created ? (
          <div className="grid gap-4">
            <DialogHeader>
              <DialogTitle>Copy the key for {created.name}</DialogTitle>
              <DialogDescription>{WithArticle(created.role)} key: it {ROLE_HELP[created.role]}.</DialogDescription>
            </DialogHeader>
            <div role="alert" className="flex items-start gap-2 rounded-md bg-warning/15 px-3 py-2 text-sm text-[color-mix(in_oklch,var(--warning)_70%,var(--foreground))]">
              <AlertTriangle className="mt-0.5 size-4 shrink-0" />
              <p><span className="font-medium">This key won’t be shown again.</span> Only its hash is stored: copy it into your secret store now. If you lose it, revoke it and create a new one.</p>
            </div>
            <div className="grid gap-1.5">
              <Label htmlFor="created-key">API key</Label>
              <div className="flex gap-2">
                <Input id="created-key" readOnly value={created.key} data-testid="new-api-key" className="font-mono text-xs" onFocus={(e) => e.currentTarget.select()} />
                <CopyButton text={created.key} />
              </div>
            </div>
            <DialogFooter>
              <Button type="button" onClick={onClose} data-testid="api-key-done">I’ve copied it</Button>
            </DialogFooter>
          </div>
        ) : (
          <form onSubmit={submit} className="grid gap-4">
            <DialogHeader>
              <DialogTitle>New API key</DialogTitle>
              <DialogDescription>For a service or script. Give it the lowest role that works; you can revoke it at any time.</DialogDescription>
            </DialogHeader>
            <div className="grid gap-1.5">
              <Label htmlFor="key-name">Name</Label>
              <Input id="key-name" autoFocus autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. ingest-service" aria-invalid={!!fields.name} aria-describedby="key-name-help" />
              <p id="key-name-help" className={cn("text-xs", fields.name ? "text-destructive" : "text-muted-foreground")}>
                {fields.name ?? "Shown in the audit log as apikey:<name>. Letters, digits, space, _ . @ -"}
              </p>
            </div>
            <div className="grid gap-1.5">
              <Label>Role</Label>
              <Select aria-label="Role" value={role} onValueChange={(v) => setRole(v as Role)} options={ROLE_OPTIONS} className="h-9 w-full" />
              <p className="text-xs text-muted-foreground">{WithArticle(role)} key {ROLE_HELP[role]}.</p>
            </div>
            <div className="grid gap-1.5">
              <Label>Expires</Label>
              <Select aria-label="Expires" value={expiry} onValueChange={setExpiry} options={EXPIRY_OPTIONS} className="h-9 w-full" />
              <p className="text-xs text-muted-foreground">An expired key gets 401 Unauthorized; its name is free again.</p>
            </div>
            {create.isError && !fields.name && <p role="alert" className="text-sm text-destructive">{errorMessage(create.error)}</p>}
            <DialogFooter>
              <Button type="button" variant="ghost" onClick={onClose}>Cancel</Button>
              <Button type="submit" disabled={!name.trim() || create.isPending}>
                {create.isPending && <Loader2 className="animate-spin" />} Create key
              </Button>
            </DialogFooter>
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}

function CopyButton({ text }: { text: string }) {
  const toast = useToast();
  const [copied, setCopied] = React.useState(false);
  React.useEffect(() => {
    if (!copied) return;
    const id = setTimeout(() => setCopied(false), 2000);
    return () => clearTimeout(id);
  }, [copied]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      toast({ title: "Couldn’t copy", description: "Select the key and copy it by hand.", variant: "error" });
    }
  };
  return (
    <Tooltip content={copied ? "Copied" : "Copy to clipboard"}>
      <Button type="button" variant="outline" onClick={copy} aria-label="Copy API key" data-testid="copy-api-key">
        {copied ? <Check className="text-success" /> : <Copy />} {copied ? "Copied" : "Copy"}
      </Button>
    </Tooltip>
  );
}

function RevokeKeyDialog({ apiKey, onClose }: { apiKey: ApiKey; onClose: () => void }) {
  const trpc = useTRPC();
  const toast = useToast();
  const invalidate = useInvalidateAdmin("apiKeys");
  const [reason, setReason] = React.useState("");
  const revoke = useMutation(
    trpc.apiKeys.revoke.mutationOptions({
      onSuccess: async () => {
        toast({ title: `Revoked ${apiKey.name}`, description: "Requests with this key are now refused (401).", variant: "success" });
        await invalidate();
        onClose();
      },
    }),
  );
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    revoke.mutate({ id: apiKey.id, ...(reason.trim() ? { reason: reason.trim() } : {}) });
  };
  return (
    <Dialog open onOpenChange={(open) => !open && onClose()}>
      <DialogContent data-testid="revoke-api-key-dialog">
        <form onSubmit={submit} className="grid gap-4">
          <DialogHeader>
            <DialogTitle>Revoke {apiKey.name}?</DialogTitle>
            <DialogDescription>This can’t be undone.</DialogDescription>
          </DialogHeader>
          <div className="rounded-md border bg-muted/40 p-3 text-sm">
            <div className="flex items-center gap-2 font-medium">
              <span className="font-mono text-xs">{apiKey.prefix}…</span> <RoleBadge role={apiKey.role} />
            </div>
            <ul className="mt-2 list-disc space-y-0.5 pl-5 text-muted-foreground">
              <li>the next request with this key gets 401 Unauthorized</li>
              <li>last used: {apiKey.lastUsedAt ? <RelativeTime date={apiKey.lastUsedAt} /> : "never"}</li>
            </ul>
          </div>
          <div className="grid gap-1.5">
            <Label htmlFor="revoke-reason">Reason <span className="font-normal text-muted-foreground">(optional, recorded in the audit log)</span></Label>
            <Textarea id="revoke-reason" value={reason} onChange={(e) => setReason(e.target.value)} placeholder="e.g. leaked in a CI log" />
          </div>
          {revoke.isError && <p role="alert" className="text-sm text-destructive">{errorMessage(revoke.error)}</p>}
          <DialogFooter>
            <Button type="button" variant="ghost" onClick={onClose}>Cancel</Button>
            <Button type="submit" variant="destructive" disabled={revoke.isPending}>
              {revoke.isPending && <Loader2 className="animate-spin" />} Revoke key
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
