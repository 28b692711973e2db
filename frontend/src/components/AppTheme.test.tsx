import { screen } from "@testing-library/react";
import { DataGrid } from "@mui/x-data-grid";
import { describe, expect, it } from "vitest";
import { renderWithProviders } from "../test/render";

function Grid() {
  return (
    <div style={{ height: 300, width: 600 }}>
      <DataGrid rows={[]} columns={[{ field: "a", headerName: "A" }]} />
    </div>
  );
}

describe("the data grid's own texts", () => {
  it("follow the language", async () => {
    renderWithProviders(<Grid />, { lang: "fr" });
    expect(await screen.findByText("Pas de résultats")).toBeInTheDocument();
  });

  it("are English by default", async () => {
    renderWithProviders(<Grid />);
    expect(await screen.findByText("No rows")).toBeInTheDocument();
  });
});
