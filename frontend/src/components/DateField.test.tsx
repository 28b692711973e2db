import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { renderWithProviders } from "../test/render";
import { DateField } from "./DateField";

describe("DateField", () => {
  it("takes a day typed day first and confirms it in the app's one date format", async () => {
    const onChange = vi.fn();
    const ue = userEvent.setup();
    renderWithProviders(<DateField label="From" value="" onChange={onChange} />, { lang: "fr" });
    const field = screen.getByRole("textbox", { name: "From" });
    expect(field).toHaveAttribute("placeholder", "jj/mm/aaaa");
    await ue.click(field);
    await ue.paste("23/11/2026");
    expect(onChange).toHaveBeenLastCalledWith("2026-11-23");
    expect(screen.getByText("23 nov. 2026")).toBeInTheDocument();
  });

  it("says what to type when the text is not a day, and sends nothing", async () => {
    const onChange = vi.fn();
    const ue = userEvent.setup();
    renderWithProviders(<DateField label="From" value="" onChange={onChange} />);
    await ue.click(screen.getByRole("textbox", { name: "From" }));
    await ue.paste("31/02/2026");
    expect(screen.getByText("Not a date: type it as dd/mm/yyyy.")).toBeInTheDocument();
    expect(onChange).not.toHaveBeenCalled();
  });
});
