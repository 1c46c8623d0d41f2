"use client";
// Offboarding dialogs: disable, enable, delete an operator, and set a new password. Each says
// what happens at once (sessions end, keys are revoked) before the admin confirms.
import * as React from "react";
import { useMutation } from "@tanstack/react-query";
import { AlertTriangle, Loader2 } from "lucide-react";
import { useTRPC } from "@/lib/trpc/client";
import { useInvalidateAdmin } from "../use-invalidate-admin";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input, Label, Textarea } from "@/components/ui/input";
import { useToast } from "@/components/ui/toast";
import { errorMessage } from "@/components/states";
import { inputIssues, issuesByField } from "@/lib/issues";
import type { RouterOutputs } from "@/lib/trpc/types";
import { RoleBadge } from "./role-badge";

type User = RouterOutputs["users"]["list"]["items"][number];

function Consequences({ items }: { items: React.ReactNode[] }) {
  return (
    <ul className="list-disc space-y-0.5 rounded-md border bg-muted/40 py-3 pr-3 pl-8 text-sm text-muted-foreground">
      {items.map((item, i) => <li key={i}>{item}</li>)}
    </ul>
  );
}

function ReasonField({ id, value, onChange, placeholder }: { id: string; value: string; onChange: (v: string) => void; placeholder: string }) {
  return (
    <div className="grid gap-1.5">
      <Label htmlFor={id}>Reason (required, recorded in the audit log)</Label>
      <Textarea id={id} value={value} onChange={(e) => onChange(e.target.value)} placeholder={placeholder} />
    </div>
  );
}

/** Disable or delete: both end sessions and revoke the user's keys at once. */
export function OffboardUserDialog({ user, mode, onClose }: { user: User; mode: "disable" | "delete"; onClose: () => void }) {
  const trpc = useTRPC();
  const toast = useToast();
  const invalidate = useInvalidateAdmin("users");
  const [reason, setReason] = React.useState("");
  const [confirmEmail, setConfirmEmail] = React.useState("");
  const done = async (result: { email: string; sessionsEnded: number; keysRevoked: number }) => {
    toast({
      title: mode === "disable" ? `Disabled ${result.email}` : `Deleted ${result.email}`,
      description: `${result.sessionsEnded} session${result.sessionsEnded === 1 ? "" : "s"} ended, ${result.keysRevoked} API key${result.keysRevoked === 1 ? "" : "s"} revoked.`,
      variant: "success",
    });
    await invalidate();
    onClose();
  };
  const disable = useMutation(trpc.users.disable.mutationOptions({ onSuccess: done }));
  const remove = useMutation(trpc.users.delete.mutationOptions({ onSuccess: done }));
  const mutation = mode === "disable" ? disable : remove;
  const ready = reason.trim() !== "" && (mode === "disable" || confirmEmail.trim().toLowerCase() === user.email);
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (!ready) return;
    mutation.mutate({ userId: user.id, reason: reason.trim() });
  };
  return (
    <Dialog open onOpenChange={(open) => !open && onClose()}>
      <DialogContent data-testid={`${mode}-user-dialog`}>
        <form onSubmit={submit} className="grid gap-4">
          <DialogHeader>
            <DialogTitle>{mode === "disable" ? "Disable" : "Delete"} {user.email}?</DialogTitle>
            <DialogDescription>
              {mode === "disable" ? "You can enable them again later; their API keys stay revoked." : "This can’t be undone. Their labels and audit entries keep their e-mail."}
            </DialogDescription>
          </DialogHeader>
          <div className="flex items-center gap-2 text-sm"><RoleBadge role={user.role} /> <span className="text-muted-foreground">{user.name}</span></div>
          <Consequences
            items={[
              "every session ends now: their next request gets 401 Unauthorized",
              "every API key they created is revoked now",
              mode === "disable" ? "they cannot sign in until an admin enables them" : "their account and password are deleted",
            ]}
          />
          <ReasonField id={`${mode}-reason`} value={reason} onChange={setReason} placeholder={mode === "disable" ? "e.g. left the team" : "e.g. contract ended, data removal request"} />
          {mode === "delete" && (
            <div className="grid gap-1.5">
              <Label htmlFor="delete-confirm">Type <span className="font-mono">{user.email}</span> to confirm</Label>
              <Input id="delete-confirm" autoComplete="off" value={confirmEmail} onChange={(e) => setConfirmEmail(e.target.value)} />
            </div>
          )}
          {mutation.isError && (
            <p role="alert" data-testid="offboard-error" className="rounded-md border border-destructive/30 bg-destructive/10 px-3 py-2 text-sm text-destructive">
              {errorMessage(mutation.error)}
            </p>
          )}
          <DialogFooter>
            <Button type="button" variant="ghost" onClick={onClose}>Cancel</Button>
            <Button type="submit" variant="destructive" disabled={!ready || mutation.isPending}>
              {mutation.isPending && <Loader2 className="animate-spin" />} {mode === "disable" ? "Disable user" : "Delete user"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

export function EnableUserDialog({ user, onClose }: { user: User; onClose: () => void }) {
  const trpc = useTRPC();
  const toast = useToast();
  const invalidate = useInvalidateAdmin("users");
  const [reason, setReason] = React.useState("");
  const enable = useMutation(
    trpc.users.enable.mutationOptions({
      onSuccess: async () => {
        toast({ title: `Enabled ${user.email}`, description: "They can sign in again. Create new API keys if they need them.", variant: "success" });
        await invalidate();
        onClose();
      },
    }),
  );
  return (
    <Dialog open onOpenChange={(open) => !open && onClose()}>
      <DialogContent data-testid="enable-user-dialog">
        <form onSubmit={(e) => { e.preventDefault(); enable.mutate({ userId: user.id, ...(reason.trim() ? { reason: reason.trim() } : {}) }); }} className="grid gap-4">
          <DialogHeader>
            <DialogTitle>Enable {user.email}?</DialogTitle>
            <DialogDescription>They can sign in again with their password. API keys revoked when they were disabled stay revoked.</DialogDescription>
          </DialogHeader>
          <div className="grid gap-1.5">
            <Label htmlFor="enable-reason">Reason <span className="font-normal text-muted-foreground">(optional, recorded in the audit log)</span></Label>
            <Textarea id="enable-reason" value={reason} onChange={(e) => setReason(e.target.value)} />
          </div>
          {enable.isError && <p role="alert" className="text-sm text-destructive">{errorMessage(enable.error)}</p>}
          <DialogFooter>
            <Button type="button" variant="ghost" onClick={onClose}>Cancel</Button>
            <Button type="submit" disabled={enable.isPending}>{enable.isPending && <Loader2 className="animate-spin" />} Enable user</Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

/** The admin picks the new password and hands it over out of band. */
export function SetPasswordDialog({ user, isMe, onClose }: { user: User; isMe: boolean; onClose: () => void }) {
  const trpc = useTRPC();
  const toast = useToast();
  const invalidate = useInvalidateAdmin("users");
  const [password, setPassword] = React.useState("");
  const [reason, setReason] = React.useState("");
  const setPasswordMutation = useMutation(
    trpc.users.setPassword.mutationOptions({
      onSuccess: async (result) => {
        toast({ title: `New password set for ${result.email}`, description: `${result.sessionsEnded} session${result.sessionsEnded === 1 ? "" : "s"} ended. Share the password through a safe channel.`, variant: "success" });
        await invalidate();
        onClose();
        if (isMe) window.location.assign("/sign-in");
      },
    }),
  );
  const fields = setPasswordMutation.isError ? issuesByField(inputIssues(setPasswordMutation.error)) : {};
  const ready = password.length > 0 && reason.trim() !== "";
  return (
    <Dialog open onOpenChange={(open) => !open && onClose()}>
      <DialogContent data-testid="set-password-dialog">
        <form onSubmit={(e) => { e.preventDefault(); if (ready) setPasswordMutation.mutate({ userId: user.id, password, reason: reason.trim() }); }} className="grid gap-4" noValidate>
          <DialogHeader>
            <DialogTitle>Set a new password for {user.email}</DialogTitle>
            <DialogDescription>Every session of {isMe ? "yours" : "theirs"} ends now; API keys are not affected.</DialogDescription>
          </DialogHeader>
          {isMe && (
            <p className="flex items-start gap-2 rounded-md bg-warning/15 px-3 py-2 text-xs text-[color-mix(in_oklch,var(--warning)_70%,var(--foreground))]">
              <AlertTriangle className="mt-px size-3.5 shrink-0" /> This is you: you will be signed out.
            </p>
          )}
          <div className="grid gap-1.5">
            <Label htmlFor="new-password">New password</Label>
            <Input id="new-password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} aria-invalid={!!fields.password} aria-describedby="new-password-help" />
            <p id="new-password-help" className={fields.password ? "text-xs text-destructive" : "text-xs text-muted-foreground"}>{fields.password ?? "8–128 characters."}</p>
          </div>
          <ReasonField id="password-reason" value={reason} onChange={setReason} placeholder="e.g. forgot it" />
          {setPasswordMutation.isError && !fields.password && <p role="alert" className="text-sm text-destructive">{errorMessage(setPasswordMutation.error)}</p>}
          <DialogFooter>
            <Button type="button" variant="ghost" onClick={onClose}>Cancel</Button>
            <Button type="submit" disabled={!ready || setPasswordMutation.isPending}>{setPasswordMutation.isPending && <Loader2 className="animate-spin" />} Set password</Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
