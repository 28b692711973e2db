/** A dataset version's rows, a page at a time. */
import { Box, TableContainer, Typography } from "@mui/material";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { datasetRows } from "../api/client";
import type { Dataset } from "../api/types";
import { DataTable } from "../components/DataTable";
import { Pager } from "../components/Pager";
import { QueryState } from "../components/States";
import { useI18n } from "../i18n";
import { formatPrediction } from "../lib/numbers";
import { shortDate } from "./profile";

export const ROWS_PAGE_SIZE = 50;

type Row = Record<string, unknown>;

/** A cell as it reads on screen: numbers rounded, days without their midnight. */
export function cellText(value: unknown, locale: string): string {
  return typeof value === "string" ? shortDate(value) : formatPrediction(value, locale);
}

/** A table of rows of the given columns (the data tab and the cleaning preview). */
export function RowsTable({ columns, rows, first = 0, testId }: { columns: string[]; rows: Row[]; first?: number; testId?: string }) {
  const { t, locale } = useI18n();
  const keyed = rows.map((r, i) => ({ key: first + i, r }));
  return (
    // Focusable, so that a keyboard can scroll it too.
    <TableContainer sx={{ maxHeight: 560, overflow: "auto" }} tabIndex={0} role="region" aria-label={t("datasets.data")}>
      <DataTable
        testId={testId}
        label={t("datasets.data")}
        stickyHeader
        rows={keyed}
        rowKey={(x) => x.key}
        columns={[
          { label: "#", cell: (x) => x.key + 1, align: "right", sx: { color: "text.secondary" } },
          ...columns.map((c) => ({
            label: c,
            cell: (x: { r: Row }) => {
              const v = x.r[c];
              return v === null || v === undefined ? <Box component="span" sx={{ color: "text.disabled" }}>–</Box> : cellText(v, locale);
            },
            sx: { whiteSpace: "nowrap", maxWidth: 280, overflow: "hidden", textOverflow: "ellipsis" },
          })),
        ]}
      />
    </TableContainer>
  );
}

export function DatasetRows({ d }: { d: Dataset }) {
  const { tn } = useI18n();
  const [page, setPage] = useState(1);
  const q = useQuery({
    queryKey: ["datasets", d.name, d.version, "rows", page],
    queryFn: () => datasetRows(d.name, d.version, page, ROWS_PAGE_SIZE),
    placeholderData: keepPreviousData,
  });
  return (
    <QueryState query={q}>
      {(data) => (
        <>
          <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
            {tn("datasets.rowsCount", data.total)}
          </Typography>
          <RowsTable columns={data.columns} rows={data.rows} first={(page - 1) * ROWS_PAGE_SIZE} testId="dataset-rows" />
          <Pager total={data.total} pageSize={ROWS_PAGE_SIZE} page={page} onChange={setPage} />
        </>
      )}
    </QueryState>
  );
}
