/** The three states every list has (loading, error, empty), and "not available yet" for issue 3. */
import { Alert, AlertTitle, Box, Button, CircularProgress, Typography } from "@mui/material";
import type { ReactNode } from "react";
import { ApiError } from "../api/client";
import { describeError } from "../api/errors";
import { useT } from "../i18n";

export function Loading({ label }: { label?: string }) {
  const t = useT();
  return (
    <Box role="status" aria-live="polite" sx={{ display: "flex", alignItems: "center", gap: 2, p: 3 }}>
      <CircularProgress size={24} aria-hidden />
      <Typography color="text.secondary">{label ?? t("common.loading")}</Typography>
    </Box>
  );
}

export function ErrorState({ error, onRetry, title }: { error: unknown; onRetry?: () => void; title?: string }) {
  const t = useT();
  return (
    <Alert
      severity="error"
      role="alert"
      action={
        onRetry ? (
          <Button color="inherit" size="small" onClick={onRetry}>
            {t("common.retry")}
          </Button>
        ) : undefined
      }
      sx={{ my: 2 }}
    >
      {title && <AlertTitle>{title}</AlertTitle>}
      {describeError(error, t)}
    </Alert>
  );
}

export function EmptyState({ children, action }: { children: ReactNode; action?: ReactNode }) {
  return (
    <Box sx={{ p: 4, textAlign: "center", color: "text.secondary" }}>
      <Typography>{children}</Typography>
      {action && <Box sx={{ mt: 2 }}>{action}</Box>}
    </Box>
  );
}

/** True when the error says the route itself does not exist (issue 3 not deployed on this server). */
export function isNotAvailable(err: unknown): boolean {
  if (!(err instanceof ApiError)) return false;
  if (err.status === 405) return true;
  return err.status === 404 && /no route/i.test(err.message);
}

export function NotAvailable() {
  const t = useT();
  return (
    <Alert severity="info" sx={{ my: 2 }}>
      <AlertTitle>{t("common.notAvailableTitle")}</AlertTitle>
      {t("common.notAvailable")}
    </Alert>
  );
}

/** Render a query's states in the usual way; `children` gets the data. */
export function QueryState<T>({
  query,
  empty,
  isEmpty,
  children,
  notAvailable = false,
}: {
  query: { isPending: boolean; isError: boolean; error: unknown; data: T | undefined; refetch: () => unknown };
  empty?: ReactNode;
  isEmpty?: (data: T) => boolean;
  children: (data: T) => ReactNode;
  notAvailable?: boolean;
}) {
  if (query.isPending) return <Loading />;
  if (query.isError) {
    if (notAvailable && isNotAvailable(query.error)) return <NotAvailable />;
    return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  }
  const data = query.data as T;
  if (isEmpty && isEmpty(data)) return <EmptyState>{empty}</EmptyState>;
  return <>{children(data)}</>;
}
