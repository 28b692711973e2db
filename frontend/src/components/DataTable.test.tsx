import { screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/client";
import { renderWithProviders } from "../test/render";
import { DataTable, QueryTable, type Column } from "./DataTable";
import type { QueryLike } from "./States";

interface Row {
  name: string;
  kind: string;
}

const columns: Column<Row>[] = [
  { label: "Name", rowHeader: true, cell: (r) => r.name },
  { label: "Kind", cell: (r) => r.kind },
];

function query(state: Partial<QueryLike<Row[]>>): QueryLike<Row[]> {
  return { isPending: false, isError: false, error: null, data: undefined, refetch: vi.fn(), ...state };
}

describe("DataTable", () => {
  it("has a header row, then a row per item whose first cell names it", () => {
    renderWithProviders(
      <DataTable testId="t" columns={columns} rows={[{ name: "warehouse", kind: "postgresql" }]} rowKey={(r) => r.name} />,
    );
    const rows = within(screen.getByTestId("t")).getAllByRole("row");
    expect(rows.map((r) => r.textContent)).toEqual(["NameKind", "warehousepostgresql"]);
    expect(screen.getByRole("rowheader", { name: "warehouse" })).toBeInTheDocument();
  });
});

describe("QueryTable", () => {
  it("says the list is empty in words instead of an empty table", () => {
    renderWithProviders(
      <QueryTable query={query({ data: [] })} rows={(d) => d} empty="No connection is configured." columns={columns} rowKey={(r) => r.name} />,
    );
    expect(screen.getByText("No connection is configured.")).toBeInTheDocument();
    expect(screen.queryByRole("table")).not.toBeInTheDocument();
  });

  it("says why the list could not be loaded, with a retry", () => {
    const refetch = vi.fn();
    renderWithProviders(
      <QueryTable
        query={query({ isError: true, error: new ApiError(403, "forbidden", "needs admin"), refetch })}
        rows={(d) => d}
        empty="–"
        columns={columns}
        rowKey={(r) => r.name}
      />,
    );
    expect(screen.getByRole("alert")).toHaveTextContent(/role does not allow/i);
    screen.getByRole("button", { name: "Try again" }).click();
    expect(refetch).toHaveBeenCalled();
  });
});
