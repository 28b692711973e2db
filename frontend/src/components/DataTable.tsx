/** A small table from a list of columns: a header row, then one row per item; or a query's list so. */
import { Table, TableBody, TableCell, TableHead, TableRow, type SxProps, type Theme } from "@mui/material";
import type { Key, ReactNode } from "react";
import { QueryState, type QueryLike } from "./States";

export interface Column<T> {
  label: ReactNode;
  cell: (row: T) => ReactNode;
  align?: "left" | "right" | "center";
  /** Styles of this column's body cells. */
  sx?: SxProps<Theme>;
  /** Styles of this column's header cell. */
  headSx?: SxProps<Theme>;
  /** The column names its row (a `th` for screen readers). */
  rowHeader?: boolean;
}

export interface DataTableProps<T> {
  columns: Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => Key;
  testId?: string;
  label?: string;
  hover?: boolean;
  /** Keep the header in view while the table scrolls (inside a TableContainer of bounded height). */
  stickyHeader?: boolean;
}

export function DataTable<T>({ columns, rows, rowKey, testId, label, hover = false, stickyHeader = false }: DataTableProps<T>) {
  return (
    <Table size="small" data-testid={testId} aria-label={label} stickyHeader={stickyHeader}>
      <TableHead>
        <TableRow>
          {columns.map((c, i) => (
            <TableCell key={i} align={c.align} sx={c.headSx}>
              {c.label}
            </TableCell>
          ))}
        </TableRow>
      </TableHead>
      <TableBody>
        {rows.map((row) => (
          <TableRow key={rowKey(row)} hover={hover}>
            {columns.map((c, i) => (
              <TableCell key={i} align={c.align} sx={c.sx} {...(c.rowHeader ? { component: "th", scope: "row" } : {})}>
                {c.cell(row)}
              </TableCell>
            ))}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/** A query's list as a table: loading, error and empty states first; `footer` (pages) under it. */
export function QueryTable<D, T>({
  query,
  rows,
  empty,
  footer,
  ...table
}: Omit<DataTableProps<T>, "rows"> & {
  query: QueryLike<D>;
  rows: (data: D) => readonly T[];
  empty: ReactNode;
  footer?: (data: D) => ReactNode;
}) {
  return (
    <QueryState query={query} isEmpty={(d) => rows(d).length === 0} empty={empty}>
      {(data) => (
        <>
          <DataTable rows={rows(data)} {...table} />
          {footer?.(data)}
        </>
      )}
    </QueryState>
  );
}
