/** A dialog holding a small form: title, an error not about one field, fields, Cancel and the action. */
import { Button, Dialog, DialogActions, DialogContent, DialogTitle, Stack } from "@mui/material";
import { useId, type ReactNode } from "react";
import { useT } from "../i18n";
import { ErrorAlert } from "./States";

/** What the dialog's action button runs (a TanStack mutation taking no variables). */
interface Action {
  mutate: () => void;
  isPending: boolean;
  error: unknown;
}

export function FormDialog({
  title,
  onClose,
  action,
  submitLabel,
  canSubmit = true,
  danger = false,
  error = action?.error,
  width = 420,
  children,
}: {
  title: string;
  onClose: () => void;
  /** Without it the dialog only shows what it holds, with a Close button. */
  action?: Action;
  submitLabel?: string;
  canSubmit?: boolean;
  danger?: boolean;
  /** The error to show above the fields (the action's, unless it is placed under a field). */
  error?: unknown;
  width?: number;
  children: ReactNode;
}) {
  const t = useT();
  const titleId = useId();
  return (
    <Dialog open onClose={onClose} aria-labelledby={titleId} maxWidth={width > 540 ? "lg" : "sm"}>
      <DialogTitle id={titleId}>{title}</DialogTitle>
      <DialogContent>
        <Stack spacing={2} sx={{ mt: 1, width: { xs: "100%", sm: width } }}>
          <ErrorAlert error={error} />
          {children}
        </Stack>
      </DialogContent>
      <DialogActions>
        {action ? (
          <>
            <Button onClick={onClose}>{t("common.cancel")}</Button>
            <Button variant="contained" color={danger ? "error" : "primary"} onClick={() => action.mutate()} disabled={!canSubmit || action.isPending}>
              {submitLabel}
            </Button>
          </>
        ) : (
          <Button variant="contained" onClick={onClose}>
            {t("common.close")}
          </Button>
        )}
      </DialogActions>
    </Dialog>
  );
}
