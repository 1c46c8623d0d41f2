import * as React from "react";
import { Badge } from "@/components/ui/badge";
import type { Role } from "@/features/auth/role";

export const ROLES: Role[] = ["viewer", "labeler", "admin"];

export const ROLE_HELP: Record<Role, string> = {
  viewer: "reads rows, inferences, state and fits",
  labeler: "also adds rows, labels and works the review queue",
  admin: "also rolls back, sets params, manages users and keys",
};

export const ROLE_OPTIONS = ROLES.map((r) => ({ value: r, label: r }));

export function RoleBadge({ role }: { role: Role }) {
  return <Badge variant={role === "admin" ? "default" : role === "labeler" ? "outline" : "secondary"} title={ROLE_HELP[role]}>{role}</Badge>;
}
