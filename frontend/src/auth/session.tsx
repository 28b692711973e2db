/** Who is signed in (GET /auth/me through TanStack Query) and what their role may do. */
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { me } from "../api/client";
import { roleAllows, type Role, type User } from "../api/types";

export const ME_KEY = ["me"] as const;

export function useMe() {
  return useQuery({ queryKey: ME_KEY, queryFn: me, staleTime: 60_000, retry: false });
}

/** The signed-in user (inside the signed-in part of the app, where it is always loaded). */
export function useUser(): User | undefined {
  return useMe().data;
}

export function useCan(needed: Role): boolean {
  return roleAllows(useUser()?.role, needed);
}

/** Renders its children only for users whose role allows `role`: what a role may not do is not offered. */
export function Can({ role, children }: { role: Role; children: ReactNode }) {
  return useCan(role) ? <>{children}</> : null;
}
