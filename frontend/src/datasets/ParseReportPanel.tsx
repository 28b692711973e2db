/**
 * How the file was read, in words: format and encoding, separators, headers renamed, tokens read as
 * missing, empty columns dropped, rows skipped, and the reader's other notes.
 */
import ExpandMoreIcon from "@mui/icons-material/ExpandMore";
import {
  Accordion,
  AccordionDetails,
  AccordionSummary,
  Box,
  Chip,
  List,
  ListItem,
  Stack,
  Typography,
} from "@mui/material";
import type { ReactNode } from "react";
import type { ParseReport } from "../api/types";
import { DataTable } from "../components/DataTable";
import { Facts } from "../components/Facts";
import { useI18n, type MessageKey } from "../i18n";

/** A separator as people name it: "," -> "comma (,)". */
function separatorLabel(sep: string | null | undefined, t: (k: MessageKey) => string): string {
  if (!sep) return "–";
  const names: Record<string, MessageKey> = {
    ",": "datasets.sep.comma",
    ";": "datasets.sep.semicolon",
    "\t": "datasets.sep.tab",
    "|": "datasets.sep.pipe",
    ".": "datasets.sep.dot",
    " ": "datasets.sep.space",
    "\u00a0": "datasets.sep.space",
    "'": "datasets.sep.apostrophe",
  };
  const key = names[sep];
  return key ? `${t(key)} (${sep === "\t" ? "\\t" : sep})` : `"${sep}"`;
}

/** The findings worth a sentence in the panel's title line (nothing found: the file read as it was). */
export function reportFindings(report: ParseReport): number {
  return (
    (report.renamed_headers?.length ?? 0) +
    Object.keys(report.missing_tokens ?? {}).length +
    (report.dropped_empty_columns?.length ?? 0) +
    (report.skipped_rows > 0 ? 1 : 0) +
    (report.notes?.length ?? 0)
  );
}

function Finding({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Box sx={{ mt: 2 }}>
      <Typography variant="h4" component="h3" sx={{ mb: 0.5 }}>
        {title}
      </Typography>
      {children}
    </Box>
  );
}

export function ParseReportPanel({ report, expanded }: { report: ParseReport | null | undefined; expanded?: boolean }) {
  const { t, tn, locale } = useI18n();
  if (!report) {
    return (
      <Typography color="text.secondary" data-testid="parse-report">
        {t("datasets.report.none")}
      </Typography>
    );
  }
  const renamed = report.renamed_headers ?? [];
  const missing = Object.entries(report.missing_tokens ?? {}).sort((a, b) => b[1] - a[1]);
  const missingCells = missing.reduce((sum, [, n]) => sum + n, 0);
  const dropped = report.dropped_empty_columns ?? [];
  const notes = report.notes ?? [];
  const findings = reportFindings(report);
  const summary = [
    renamed.length ? tn("datasets.report.renamedCount", renamed.length) : null,
    missingCells ? tn("datasets.report.missingCount", missingCells) : null,
    dropped.length ? tn("datasets.report.droppedCount", dropped.length) : null,
    report.skipped_rows ? tn("datasets.report.skippedCount", report.skipped_rows) : null,
  ].filter(Boolean);
  return (
    <Accordion defaultExpanded={expanded} disableGutters data-testid="parse-report">
      <AccordionSummary expandIcon={<ExpandMoreIcon />}>
        <Stack>
          <Typography variant="h3" component="h2">
            {t("datasets.report.title")}
          </Typography>
          <Typography variant="body2" color="text.secondary">
            {findings === 0 ? t("datasets.report.clean") : summary.join(" · ") || tn("datasets.report.notesCount", notes.length)}
          </Typography>
        </Stack>
      </AccordionSummary>
      <AccordionDetails>
        <Facts
          perRow={2}
          items={[
            [t("datasets.report.format"), report.format.toUpperCase()],
            [t("datasets.report.encoding"), report.encoding ?? "–"],
            [t("datasets.report.delimiter"), separatorLabel(report.delimiter, t)],
            [t("datasets.report.decimal"), separatorLabel(report.decimal, t)],
            [t("datasets.report.thousands"), report.thousands ? separatorLabel(report.thousands, t) : t("common.none")],
            [t("datasets.report.size"), `${report.rows.toLocaleString(locale)} × ${report.columns.toLocaleString(locale)}`],
          ]}
        />
        {renamed.length > 0 && (
          <Finding title={t("datasets.report.renamed")}>
            <DataTable
              testId="renamed-headers"
              rows={renamed}
              rowKey={(r) => r.name}
              columns={[
                { label: t("datasets.report.original"), cell: (r) => (r.original === "" ? <em>{t("datasets.report.emptyHeader")}</em> : <code>{JSON.stringify(r.original)}</code>) },
                { label: t("datasets.report.newName"), cell: (r) => <code>{r.name}</code> },
                { label: t("datasets.report.reason"), cell: (r) => t(`datasets.report.reason.${r.reason}` as MessageKey) },
              ]}
            />
          </Finding>
        )}
        {missing.length > 0 && (
          <Finding title={t("datasets.report.missing")}>
            <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
              {t("datasets.report.missingHelp")}
            </Typography>
            <Stack direction="row" sx={{ flexWrap: "wrap", gap: 1 }} data-testid="missing-tokens">
              {missing.map(([token, n]) => (
                <Chip
                  key={token}
                  size="small"
                  variant="outlined"
                  label={t("datasets.report.token", { token: token === "" ? t("datasets.report.emptyCell") : `"${token}"`, n: n.toLocaleString(locale) })}
                />
              ))}
            </Stack>
          </Finding>
        )}
        {dropped.length > 0 && (
          <Finding title={t("datasets.report.dropped")}>
            <Typography variant="body2" data-testid="dropped-columns">
              {dropped.join(", ")}
            </Typography>
          </Finding>
        )}
        {report.skipped_rows > 0 && (
          <Finding title={t("datasets.report.skipped")}>
            <Typography variant="body2">{tn("datasets.report.skippedCount", report.skipped_rows)}</Typography>
          </Finding>
        )}
        {notes.length > 0 && (
          <Finding title={t("datasets.report.notes")}>
            <List dense disablePadding>
              {notes.map((n, i) => (
                <ListItem key={i} disableGutters sx={{ display: "list-item", listStyle: "disc", ml: 3 }}>
                  {n}
                </ListItem>
              ))}
            </List>
          </Finding>
        )}
      </AccordionDetails>
    </Accordion>
  );
}
