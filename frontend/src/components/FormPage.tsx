/** A page that is one form: its title, an error not about one field, the form's parts, the submit button. */
import { Box, Button, Typography } from "@mui/material";
import type { FormEvent, ReactNode } from "react";
import { ErrorAlert } from "./States";

export function FormPage({
  title,
  onSubmit,
  error,
  submitLabel,
  canSubmit = true,
  notice,
  children,
}: {
  title: string;
  onSubmit: () => void;
  /** The error to show above the form (one about a field goes under that field instead). */
  error: unknown;
  submitLabel: string;
  canSubmit?: boolean;
  /** Shown above the error (e.g. what was saved before it). */
  notice?: ReactNode;
  children: ReactNode;
}) {
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit();
  };
  return (
    <Box component="form" onSubmit={submit} noValidate>
      <Typography variant="h1" sx={{ mb: 2 }}>
        {title}
      </Typography>
      {notice}
      <ErrorAlert error={error} sx={{ mb: 2 }} />
      {children}
      <Button type="submit" variant="contained" size="large" disabled={!canSubmit}>
        {submitLabel}
      </Button>
    </Box>
  );
}
