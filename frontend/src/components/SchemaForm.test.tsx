import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { ColumnSpec } from "../api/types";
import { column } from "../test/columns";
import { renderWithProviders } from "../test/render";
import { SchemaForm } from "./SchemaForm";

const columns: ColumnSpec[] = [
  column({ name: "tenure_months", type: "integer", nullable: false, minimum: 0, maximum: 240 }),
  column({ name: "channel", type: "string", nullable: false, categories: ["web", "store"] }),
  column({ name: "note", type: "string", nullable: true }),
];

describe("SchemaForm", () => {
  it("renders one field per column, pre-filled with the example, and submits typed records", async () => {
    const onSubmit = vi.fn();
    renderWithProviders(
      <SchemaForm columns={columns} example={{ tenure_months: 12, channel: "web" }} submitLabel="Predict" onSubmit={onSubmit} />,
    );
    const tenure = screen.getByLabelText(/tenure_months/);
    expect(tenure).toHaveValue(12);
    await userEvent.clear(tenure);
    await userEvent.type(tenure, "30");
    await userEvent.click(screen.getByRole("button", { name: "Predict" }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    expect(onSubmit).toHaveBeenCalledWith([{ tenure_months: 30, channel: "web", note: null }]);
  });

  it("refuses a value outside the column's range before anything is sent", async () => {
    const onSubmit = vi.fn();
    renderWithProviders(
      <SchemaForm columns={columns} example={{ tenure_months: 12, channel: "web" }} submitLabel="Predict" onSubmit={onSubmit} />,
    );
    const tenure = screen.getByLabelText(/tenure_months/);
    await userEvent.clear(tenure);
    await userEvent.type(tenure, "999");
    await userEvent.click(screen.getByRole("button", { name: "Predict" }));
    expect(await screen.findByText("Must be 240 or less")).toBeInTheDocument();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it("shows a column's allowed values as a list to pick from", async () => {
    const onSubmit = vi.fn();
    const ue = userEvent.setup();
    renderWithProviders(<SchemaForm columns={columns} example={{ tenure_months: 12 }} submitLabel="Predict" onSubmit={onSubmit} />);
    await ue.click(screen.getByRole("combobox", { name: /channel/ }));
    const options = screen.getAllByRole("option").map((o) => o.textContent);
    expect(options).toEqual(expect.arrayContaining(["web", "store"]));
    await ue.click(screen.getByRole("option", { name: "store" }));
    await ue.click(screen.getByRole("button", { name: "Predict" }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledWith([{ tenure_months: 12, channel: "store", note: null }]));
  });
});
