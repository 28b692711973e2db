import { Chip } from "@mui/material";
import type { ExecutionStatus } from "../api/types";
import { useT, type MessageKey } from "../i18n";

const COLORS: Record<ExecutionStatus, "default" | "info" | "success" | "error" | "warning"> = {
  queued: "default",
  running: "info",
  succeeded: "success",
  failed: "error",
  cancelled: "warning",
};

export function StatusChip({ status }: { status: ExecutionStatus }) {
  const t = useT();
  return (
    <Chip
      size="small"
      label={t(`runs.status.${status}` as MessageKey)}
      color={COLORS[status] ?? "default"}
      variant={status === "running" ? "filled" : "outlined"}
      data-testid="run-status"
    />
  );
}
