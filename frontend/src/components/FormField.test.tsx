import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { renderWithProviders } from "../test/render";
import { FormField } from "./FormField";

describe("FormField", () => {
  it("shows its help until the error is about its field, then the error instead", () => {
    const errors = (f: string) => (f === "name" ? "Name: the format is not accepted." : undefined);
    renderWithProviders(
      <>
        <FormField label="Name" field="name" errors={errors} help="Lowercase letters" value="A!" onChange={() => {}} />
        <FormField label="Title" field="title" errors={errors} help="What people read" value="" onChange={() => {}} />
      </>,
    );
    const name = screen.getByLabelText("Name");
    expect(name).toHaveAttribute("aria-invalid", "true");
    expect(name).toHaveAccessibleDescription("Name: the format is not accepted.");
    expect(screen.queryByText("Lowercase letters")).not.toBeInTheDocument();
    expect(screen.getByLabelText("Title")).toHaveAccessibleDescription("What people read");
  });

  it("is a select of its options, by value and label", async () => {
    let chosen: unknown = null;
    renderWithProviders(
      <FormField
        label="Engine"
        value="local"
        onChange={(e) => (chosen = e.target.value)}
        options={[{ value: "local", label: "Local (streaming)" }, "spark"]}
      />,
    );
    await userEvent.click(screen.getByRole("combobox", { name: "Engine" }));
    expect(screen.getByRole("option", { name: "Local (streaming)" })).toBeInTheDocument();
    await userEvent.click(screen.getByRole("option", { name: "spark" }));
    expect(chosen).toBe("spark");
  });
});
