/** The first rows of a file about to be run, and its columns checked against the model's inputs. */
import { Alert, Box, TableContainer, Typography } from "@mui/material";
import { useEffect, useState } from "react";
import type { ColumnSpec } from "../api/types";
import {
  checkColumns,
  fileKind,
  formatBytes,
  parseCsvPreview,
  readHead,
  typeProblems,
  type CsvPreview,
} from "../lib/filePreview";
import { useI18n } from "../i18n";
import { DataTable } from "./DataTable";

export function FilePreview({
  file,
  schema,
  onVerdict,
}: {
  file: File;
  schema: ColumnSpec[];
  /** Told false when the file surely cannot run (missing columns, unreadable CSV). */
  onVerdict?: (ok: boolean) => void;
}) {
  const { t, tn } = useI18n();
  const kind = fileKind(file.name);
  const [preview, setPreview] = useState<CsvPreview | null>(null);
  useEffect(() => {
    let live = true;
    setPreview(null);
    if (kind !== "csv") {
      onVerdict?.(kind !== "other");
      return;
    }
    readHead(file)
      .then((text) => {
        if (!live) return;
        const p = parseCsvPreview(text, 10);
        setPreview(p);
        const check = checkColumns(p.columns, schema);
        onVerdict?.(!p.error && (schema.length === 0 || check.ok));
      })
      .catch((err: unknown) => {
        if (!live) return;
        setPreview({ columns: [], rows: [], error: String(err) });
        onVerdict?.(false);
      });
    return () => {
      live = false;
    };
    // onVerdict is left out on purpose: a new callback each parent render must not re-read the file.
  }, [file, kind, schema]);

  if (kind !== "csv") {
    return (
      <Alert severity="info" sx={{ mt: 2 }} data-testid="file-preview">
        {t("run.previewBinary", { name: file.name, size: formatBytes(file.size) })}
      </Alert>
    );
  }
  if (!preview) return null;
  if (preview.error) {
    return (
      <Alert severity="error" sx={{ mt: 2 }} role="alert" data-testid="file-preview">
        {t("run.parseError", { reason: preview.error })}
      </Alert>
    );
  }
  const check = checkColumns(preview.columns, schema);
  const problems = typeProblems(preview.rows, schema);
  const wanted = new Set(schema.map((c) => c.name));
  return (
    <Box sx={{ mt: 2 }} data-testid="file-preview">
      {schema.length > 0 && (
        <Box sx={{ display: "grid", gap: 1, mb: 2 }} data-testid="column-check">
          {check.ok ? (
            <Alert severity="success">{tn("run.columnsOk", check.found.length)}</Alert>
          ) : (
            <Alert severity="error" role="alert">
              {t("run.columnsMissing", { cols: check.missing.join(", ") })}
            </Alert>
          )}
          {check.extra.length > 0 && (
            <Alert severity="warning">{t("run.columnsExtra", { cols: check.extra.join(", ") })}</Alert>
          )}
          {problems.map((p) => (
            <Alert severity="warning" key={p.column}>
              {t("run.typeMismatch", { col: p.column, row: p.row, value: p.value, type: p.type })}
            </Alert>
          ))}
        </Box>
      )}
      <Typography variant="h4" component="h3" sx={{ mb: 1 }}>
        {t("run.preview", { name: file.name })}
      </Typography>
      <TableContainer sx={{ maxHeight: 360, border: 1, borderColor: "divider", borderRadius: 1 }} tabIndex={0}>
        <DataTable
          stickyHeader
          rows={preview.rows.map((row, i) => ({ i, row }))}
          rowKey={({ i }) => i}
          columns={preview.columns.map((c) => ({
            label: c,
            headSx: { fontWeight: 600, whiteSpace: "nowrap", color: wanted.size && !wanted.has(c) ? "text.secondary" : undefined },
            sx: { whiteSpace: "nowrap" },
            cell: ({ row }: { row: Record<string, string> }) => row[c],
          }))}
        />
      </TableContainer>
    </Box>
  );
}
