/** The states every list and form has: loading, an error (with a retry), empty. */
import { Alert, AlertTitle, Box, Button, CircularProgress, Typography, type SxProps, type Theme } from "@mui/material";
import type { ReactNode } from "react";
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

/** An action's error in words (nothing when there is none). */
export function ErrorAlert({ error, sx }: { error: unknown; sx?: SxProps<Theme> }) {
  const t = useT();
  if (!error) return null;
  return (
    <Alert severity="error" role="alert" sx={sx}>
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

/** What QueryState needs of a TanStack query. */
export interface QueryLike<T> {
  isPending: boolean;
  isError: boolean;
  error: unknown;
  data: T | undefined;
  refetch: () => unknown;
}

/** Render a query's states in the usual way; `children` gets the data. */
export function QueryState<T>({
  query,
  empty,
  isEmpty,
  children,
}: {
  query: QueryLike<T>;
  empty?: ReactNode;
  isEmpty?: (data: T) => boolean;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  const data = query.data as T;
  if (isEmpty && isEmpty(data)) return <EmptyState>{empty}</EmptyState>;
  return <>{children(data)}</>;
}

/** An action's error in words, small, beside the control that failed (in a table row). */
export function InlineError({ error }: { error: unknown }) {
  const t = useT();
  if (!error) return null;
  return (
    <Typography color="error" variant="body2" role="alert">
      {describeError(error, t)}
    </Typography>
  );
}
