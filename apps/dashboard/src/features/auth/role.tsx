"use client";
import * as React from "react";

export type Role = "viewer" | "labeler" | "admin";
const RANK: Record<Role, number> = { viewer: 0, labeler: 1, admin: 2 };

export interface Me {
  id: string;
  email: string;
  name: string | null;
  role: Role;
}

const MeContext = React.createContext<Me | null>(null);

export function MeProvider({ me, children }: { me: Me; children: React.ReactNode }) {
  return <MeContext.Provider value={me}>{children}</MeContext.Provider>;
}

export function useMe(): Me {
  const me = React.useContext(MeContext);
  if (!me) throw new Error("useMe outside MeProvider");
  return me;
}

export function hasRole(role: Role | undefined, atLeast: Role): boolean {
  return role !== undefined && RANK[role] >= RANK[atLeast];
}

export function useCan(atLeast: Role): boolean {
  return hasRole(React.useContext(MeContext)?.role, atLeast);
}

/** Renders children only when the signed-in operator's role allows it (the server refuses anyway). */
export function RequireRole({ role, children, fallback = null }: { role: Role; children: React.ReactNode; fallback?: React.ReactNode }) {
  return useCan(role) ? <>{children}</> : <>{fallback}</>;
}
