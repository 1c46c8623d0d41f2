"use client";
import * as React from "react";
import { useRouter } from "next/navigation";
import { useInfiniteQuery, useMutation } from "@tanstack/react-query";
import { AlertTriangle, ArrowRight, KeyRound, Loader2, MoreHorizontal, Trash2, UserCheck, UserPlus, UserCog, UserX } from "lucide-react";
import { useTRPC } from "@/lib/trpc/client";
import { useInvalidateAdmin } from "../use-invalidate-admin";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuSeparator, DropdownMenuTrigger } from "@/components/ui/dropdown-menu";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input, Label, Textarea } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableMessage, TableRow } from "@/components/ui/table";
import { Skeleton } from "@/components/ui/skeleton";
import { useToast } from "@/components/ui/toast";
import { EmptyState, ErrorState, errorMessage } from "@/components/states";
import { RelativeTime } from "@/components/relative-time";
import { errorCode, inputIssues, issuesByField } from "@/lib/issues";
import { formatCount } from "@/lib/time";
import { ADMIN_PAGE, nextPage } from "@/lib/lists";
import { LoadMore } from "@/components/load-more";
import type { RouterOutputs } from "@/lib/trpc/types";
import { useMe, type Role } from "@/features/auth/role";
import { ROLE_HELP, ROLE_OPTIONS, RoleBadge } from "./role-badge";
import { EnableUserDialog, OffboardUserDialog, SetPasswordDialog } from "./user-access-dialogs";
import { WithArticle } from "@/lib/article";

type User = RouterOutputs["users"]["list"]["items"][number];


export function UsersView() {
  const trpc = useTRPC();
  const me = useMe();
  const users = useInfiniteQuery(trpc.users.list.infiniteQueryOptions(ADMIN_PAGE, { getNextPageParam: nextPage }));
  const list = React.useMemo(() => users.data?.pages.flatMap((p) => p.items), [users.data]);
  const [creating, setCreating] = React.useState(false);
  const [editing, setEditing] = React.useState<User | null>(null);
  const [acting, setActing] = React.useState<{ user: User; action: "disable" | "enable" | "delete" | "password" } | null>(null);
  const admins = list?.filter((u) => u.role === "admin" && !u.disabledAt).length ?? 0;

  return (
    <div className="space-y-3 p-6">
      <div className="flex flex-wrap items-center gap-2">
        <p className="text-sm text-muted-foreground">
          {list ? <>{formatCount(list.length)}{users.hasNextPage ? "+" : ""} operator{list.length === 1 ? "" : "s"} · {formatCount(admins)}{users.hasNextPage ? "+" : ""} active admin{admins === 1 ? "" : "s"}</> : <Skeleton className="h-4 w-40" />}
        </p>
        <Button className="ml-auto" size="sm" onClick={() => setCreating(true)} data-testid="new-user">
          <UserPlus /> New user
        </Button>
      </div>
      <div className="overflow-hidden rounded-lg border bg-card">
        <Table data-testid="users-table">
          <TableHeader>
            <TableRow className="hover:bg-transparent">
              <TableHead>Email</TableHead>
              <TableHead>Name</TableHead>
              <TableHead>Role</TableHead>
              <TableHead>Status</TableHead>
              <TableHead>Created</TableHead>
              <TableHead>Updated</TableHead>
              <TableHead className="w-44" />
            </TableRow>
          </TableHeader>
          <TableBody>
            {users.isPending ? (
              Array.from({ length: 3 }, (_, i) => <TableRow key={i}><TableCell colSpan={7}><Skeleton className="h-5" /></TableCell></TableRow>)
            ) : users.isError ? (
              <TableMessage colSpan={7}><ErrorState error={users.error} retry={() => users.refetch()} className="py-2" /></TableMessage>
            ) : !list || list.length === 0 ? (
              <TableMessage colSpan={7}><EmptyState title="No users" className="py-2">Create the first operator with “New user”.</EmptyState></TableMessage>
            ) : (
              list.map((u) => (
                <TableRow key={u.id} data-testid="user-row" data-email={u.email} className={u.disabledAt ? "text-muted-foreground" : undefined}>
                  <TableCell className="font-medium">
                    {u.email}
                    {u.id === me.id && <Badge variant="secondary" className="ml-2">you</Badge>}
                  </TableCell>
                  <TableCell className="text-muted-foreground">{u.name || "—"}</TableCell>
                  <TableCell data-testid="user-role"><RoleBadge role={u.role} /></TableCell>
                  <TableCell data-testid="user-status">
                    {u.disabledAt ? (
                      <span className="inline-flex items-center gap-1.5 text-xs whitespace-nowrap">
                        <Badge variant="destructive">disabled</Badge>
                        <RelativeTime date={u.disabledAt} className="text-muted-foreground" />
                        {u.disabledBy && <span className="text-muted-foreground">by {u.disabledBy}</span>}
                      </span>
                    ) : (
                      <Badge variant="success">active</Badge>
                    )}
                  </TableCell>
                  <TableCell className="whitespace-nowrap"><RelativeTime date={u.createdAt} className="text-xs text-muted-foreground" /></TableCell>
                  <TableCell className="whitespace-nowrap"><RelativeTime date={u.updatedAt} className="text-xs text-muted-foreground" /></TableCell>
                  <TableCell className="py-1 text-right whitespace-nowrap">
                    <Button variant="outline" size="sm" onClick={() => setEditing(u)} aria-label={`Change role of ${u.email}`}>
                      <UserCog /> Change role
                    </Button>
                    {/* Not modal: a dialog opened from an item would otherwise leave the page inert. */}
                    <DropdownMenu modal={false}>
                      <DropdownMenuTrigger asChild>
                        <Button variant="ghost" size="sm" className="ml-1" aria-label={`More actions for ${u.email}`} data-testid="user-actions"><MoreHorizontal /></Button>
                      </DropdownMenuTrigger>
                      <DropdownMenuContent align="end">
                        <DropdownMenuItem onSelect={() => setActing({ user: u, action: "password" })}><KeyRound /> Set password…</DropdownMenuItem>
                        {u.id !== me.id && (
                          <>
                            {u.disabledAt ? (
                              <DropdownMenuItem onSelect={() => setActing({ user: u, action: "enable" })}><UserCheck /> Enable…</DropdownMenuItem>
                            ) : (
                              <DropdownMenuItem onSelect={() => setActing({ user: u, action: "disable" })}><UserX /> Disable…</DropdownMenuItem>
                            )}
                            <DropdownMenuSeparator />
                            <DropdownMenuItem className="text-destructive" onSelect={() => setActing({ user: u, action: "delete" })}><Trash2 /> Delete…</DropdownMenuItem>
                          </>
                        )}
                      </DropdownMenuContent>
                    </DropdownMenu>
                  </TableCell>
                </TableRow>
              ))
            )}
          </TableBody>
        </Table>
      </div>
      <LoadMore query={users} noun="users" />
      {creating && <CreateUserDialog onClose={() => setCreating(false)} />}
      {editing && <SetRoleDialog user={editing} isMe={editing.id === me.id} onClose={() => setEditing(null)} />}
      {(acting?.action === "disable" || acting?.action === "delete") && <OffboardUserDialog user={acting.user} mode={acting.action} onClose={() => setActing(null)} />}
      {acting?.action === "enable" && <EnableUserDialog user={acting.user} onClose={() => setActing(null)} />}
      {acting?.action === "password" && <SetPasswordDialog user={acting.user} isMe={acting.user.id === me.id} onClose={() => setActing(null)} />}
    </div>
  );
}

/** "this is the last admin; …" → "This is the last admin; ….": server messages read as sentences here. */
function sentence(text: string): string {
  const t = text.trim();
  return t ? `${t[0]!.toUpperCase()}${t.slice(1)}${/[.!?]$/.test(t) ? "" : "."}` : t;
}

function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return <p id={id} className="text-xs text-destructive">{message}</p>;
}

function CreateUserDialog({ onClose }: { onClose: () => void }) {
  const trpc = useTRPC();
  const toast = useToast();
  const invalidate = useInvalidateAdmin("users");
  const [email, setEmail] = React.useState("");
  const [name, setName] = React.useState("");
  const [password, setPassword] = React.useState("");
  const [role, setRole] = React.useState<Role>("viewer");
  const create = useMutation(
    trpc.users.create.mutationOptions({
      onSuccess: async (user) => {
        toast({ title: `Created ${user.email}`, description: `Role ${user.role}. Share the password through a safe channel.`, variant: "success" });
        await invalidate();
        onClose();
      },
    }),
  );
  const fields = create.isError ? issuesByField(inputIssues(create.error)) : {};
  const conflict = errorCode(create.error) === "CONFLICT";
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    create.mutate({ email: email.trim(), password, role, ...(name.trim() ? { name: name.trim() } : {}) });
  };
  return (
    <Dialog open onOpenChange={(open) => !open && onClose()}>
      <DialogContent data-testid="create-user-dialog">
        <form onSubmit={submit} className="grid gap-4" noValidate>
          <DialogHeader>
            <DialogTitle>New user</DialogTitle>
            <DialogDescription>Operators sign in with email and password; there is no public sign-up.</DialogDescription>
          </DialogHeader>
          <div className="grid gap-1.5">
            <Label htmlFor="user-email">Email</Label>
            <Input id="user-email" type="email" autoComplete="off" autoFocus required value={email} onChange={(e) => setEmail(e.target.value)} aria-invalid={!!fields.email || conflict} aria-describedby="user-email-error" />
            <FieldError id="user-email-error" message={fields.email ?? (conflict ? errorMessage(create.error) : undefined)} />
          </div>
          <div className="grid gap-1.5">
            <Label htmlFor="user-name">Name <span className="font-normal text-muted-foreground">(optional)</span></Label>
            <Input id="user-name" autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} aria-invalid={!!fields.name} aria-describedby="user-name-error" />
            <FieldError id="user-name-error" message={fields.name} />
          </div>
          <div className="grid gap-1.5">
            <Label htmlFor="user-password">Password</Label>
            <Input id="user-password" type="password" autoComplete="new-password" required value={password} onChange={(e) => setPassword(e.target.value)} aria-invalid={!!fields.password} aria-describedby="user-password-error" />
            {fields.password ? <FieldError id="user-password-error" message={fields.password} /> : <p id="user-password-error" className="text-xs text-muted-foreground">8–128 characters.</p>}
          </div>
          <div className="grid gap-1.5">
            <Label>Role</Label>
            <Select aria-label="Role" value={role} onValueChange={(v) => setRole(v as Role)} options={ROLE_OPTIONS} className="h-9 w-full" />
            <p className="text-xs text-muted-foreground">{WithArticle(role)} {ROLE_HELP[role]}.</p>
          </div>
          {create.isError && !conflict && Object.keys(fields).length === 0 && <p role="alert" className="text-sm text-destructive">{errorMessage(create.error)}</p>}
          <DialogFooter>
            <Button type="button" variant="ghost" onClick={onClose}>Cancel</Button>
            <Button type="submit" disabled={!email.trim() || !password || create.isPending}>
              {create.isPending && <Loader2 className="animate-spin" />} Create user
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

function SetRoleDialog({ user, isMe, onClose }: { user: User; isMe: boolean; onClose: () => void }) {
  const trpc = useTRPC();
  const toast = useToast();
  const router = useRouter();
  const invalidate = useInvalidateAdmin("users");
  const [role, setRole] = React.useState<Role>(user.role);
  const [reason, setReason] = React.useState("");
  const setRoleMutation = useMutation(
    trpc.users.setRole.mutationOptions({
      onSuccess: async (updated) => {
        toast({ title: `${updated.email} is now ${updated.role}`, description: `Was ${updated.previousRole}. Recorded in the audit log.`, variant: "success" });
        await invalidate();
        onClose();
        // Demoting yourself takes this page away: re-render the layout with the new role.
        if (isMe) router.refresh();
      },
    }),
  );
  const lastAdmin = errorCode(setRoleMutation.error) === "CONFLICT";
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (role === user.role || !reason.trim()) return;
    setRoleMutation.mutate({ userId: user.id, role, reason: reason.trim() });
  };
  return (
    <Dialog open onOpenChange={(open) => !open && onClose()}>
      <DialogContent data-testid="set-role-dialog">
        <form onSubmit={submit} className="grid gap-4">
          <DialogHeader>
            <DialogTitle>Change the role of {user.email}</DialogTitle>
            <DialogDescription>Takes effect on their next request. The change and the reason go in the audit log.</DialogDescription>
          </DialogHeader>
          <div className="flex items-center gap-3 rounded-md border bg-muted/40 p-3 text-sm">
            <RoleBadge role={user.role} />
            <ArrowRight className="size-4 text-muted-foreground" />
            <Select aria-label="New role" value={role} onValueChange={(v) => { setRole(v as Role); setRoleMutation.reset(); }} options={ROLE_OPTIONS} className="w-32" />
            <span className="text-xs text-muted-foreground">{ROLE_HELP[role]}</span>
          </div>
          {isMe && role !== "admin" && (
            <p className="flex items-start gap-2 rounded-md bg-warning/15 px-3 py-2 text-xs text-[color-mix(in_oklch,var(--warning)_70%,var(--foreground))]">
              <AlertTriangle className="mt-px size-3.5 shrink-0" /> This is you: you will lose access to the admin area.
            </p>
          )}
          <div className="grid gap-1.5">
            <Label htmlFor="role-reason">Reason (required, recorded in the audit log)</Label>
            <Textarea id="role-reason" value={reason} onChange={(e) => setReason(e.target.value)} placeholder="e.g. joins the labeling rota this week" />
          </div>
          {setRoleMutation.isError && (
            <div role="alert" data-testid="role-error" className="rounded-md border border-destructive/30 bg-destructive/10 px-3 py-2 text-sm text-destructive">
              {lastAdmin ? (
                <>
                  <p className="font-medium">Can’t demote the last admin</p>
                  <p className="mt-0.5 text-xs">{sentence(errorMessage(setRoleMutation.error))}</p>
                </>
              ) : (
                errorMessage(setRoleMutation.error)
              )}
            </div>
          )}
          <DialogFooter>
            <Button type="button" variant="ghost" onClick={onClose}>Cancel</Button>
            <Button type="submit" disabled={role === user.role || !reason.trim() || setRoleMutation.isPending}>
              {setRoleMutation.isPending && <Loader2 className="animate-spin" />} Change to {role}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
