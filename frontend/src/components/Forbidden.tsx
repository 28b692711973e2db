import { Alert } from "@mui/material";
import type { ReactNode } from "react";
import type { Role } from "../api/types";
import { useCan } from "../auth/session";
import { useT, type MessageKey } from "../i18n";

/** A page only some roles may use: others get a plain sentence instead of a form that would fail. */
export function RequireRole({ role, children }: { role: Role; children: ReactNode }) {
  const t = useT();
  if (!useCan(role)) {
    return <Alert severity="warning">{t("error.forbiddenRole", { role: t(`role.${role}` as MessageKey) })}</Alert>;
  }
  return <>{children}</>;
}
