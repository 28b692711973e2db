import { screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { ColumnSpec } from "../api/types";
import { column } from "../test/columns";
import { renderWithProviders } from "../test/render";
import { FilePreview } from "./FilePreview";

const schema: ColumnSpec[] = [
  column({ name: "tenure_months", type: "integer", nullable: false }),
  column({ name: "monthly_spend_eur", type: "number", nullable: false }),
];

function csv(text: string, name = "customers.csv"): File {
  return new File([text], name, { type: "text/csv" });
}

describe("FilePreview", () => {
  it("shows the first rows and accepts a file with every column", async () => {
    const verdict = vi.fn();
    renderWithProviders(
      <FilePreview file={csv("tenure_months,monthly_spend_eur,segment\n12,40.5,gold\n3,12,silver\n")} schema={schema} onVerdict={verdict} />,
    );
    expect(await screen.findByText("All 2 columns the model needs are in the file.")).toBeInTheDocument();
    expect(screen.getByText(/not used by the model and will be ignored: segment/)).toBeInTheDocument();
    expect(screen.getAllByRole("row")).toHaveLength(3);
    expect(screen.getByText("40.5")).toBeInTheDocument();
    expect(verdict).toHaveBeenLastCalledWith(true);
  });

  it("blocks a file that lacks a column, and names it", async () => {
    const verdict = vi.fn();
    renderWithProviders(<FilePreview file={csv("tenure_months\n12\n")} schema={schema} onVerdict={verdict} />);
    expect(await screen.findByRole("alert")).toHaveTextContent("The file lacks columns the model needs: monthly_spend_eur.");
    expect(verdict).toHaveBeenLastCalledWith(false);
  });

  it("warns about values of the wrong type", async () => {
    renderWithProviders(<FilePreview file={csv("tenure_months,monthly_spend_eur\nten,4\n")} schema={schema} />);
    expect(await screen.findByText("Column tenure_months, row 1: “ten” is not a integer.")).toBeInTheDocument();
  });

  it("shows only the name and size of Excel and Parquet files", async () => {
    const verdict = vi.fn();
    const file = new File([new Uint8Array(2048)], "input.parquet");
    renderWithProviders(<FilePreview file={file} schema={schema} onVerdict={verdict} />);
    expect(await screen.findByTestId("file-preview")).toHaveTextContent("input.parquet (2.0 KB)");
    await waitFor(() => expect(verdict).toHaveBeenLastCalledWith(true));
  });
});
