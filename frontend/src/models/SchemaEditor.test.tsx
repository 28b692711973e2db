import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as client from "../api/client";
import { aVersion } from "../test/catalog";
import { column } from "../test/columns";
import { renderWithProviders } from "../test/render";
import { SchemaEditor } from "./SchemaEditor";

vi.mock("../api/client", async (original) => {
  const actual = await original<typeof import("../api/client")>();
  return { ...actual, editVersionSchema: vi.fn() };
});

const api = vi.mocked(client);

const version = aVersion([
  column({ name: "channel", type: "string", nullable: false }),
  column({ name: "store_count", type: "integer", nullable: false }),
  column({ name: "price", type: "number", nullable: false, description: "Shelf price" }),
]);

describe("SchemaEditor", () => {
  beforeEach(() => vi.resetAllMocks());

  it("marks a column optional and sets allowed values, sending only what changed", async () => {
    api.editVersionSchema.mockResolvedValue(version);
    const onClose = vi.fn();
    const ue = userEvent.setup();
    renderWithProviders(<SchemaEditor model="churn" version={version} onClose={onClose} />);
    const save = screen.getByRole("button", { name: "Save" });
    expect(save).toBeDisabled();

    await ue.click(screen.getByRole("switch", { name: "store_count is required" }));
    const values = screen.getByRole("combobox", { name: "Allowed values of channel" });
    await ue.type(values, "web{Enter}shop{Enter} web {Enter}");
    expect(within(screen.getByTestId("schema-editor")).getAllByRole("button", { name: /^(web|shop)$/ })).toHaveLength(2);
    // Allowed values apply to text and integer columns only.
    expect(screen.queryByRole("combobox", { name: "Allowed values of price" })).not.toBeInTheDocument();
    await ue.click(screen.getByRole("textbox", { name: "Description of channel" }));
    await ue.paste("Where the customer buys");

    await ue.click(save);
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(api.editVersionSchema).toHaveBeenCalledWith("churn", "2", {
      columns: [
        { name: "channel", categories: ["web", "shop"], description: "Where the customer buys" },
        { name: "store_count", nullable: true },
      ],
    });
  });

  it("says under the column what is wrong before sending, and what the API refused after", async () => {
    api.editVersionSchema.mockRejectedValue(
      new client.ApiError(422, "invalid_argument", "the allowed value 'x' is given twice", "columns[0].categories"),
    );
    const ue = userEvent.setup();
    renderWithProviders(<SchemaEditor model="churn" version={version} onClose={() => {}} />, { lang: "fr" });
    const ints = screen.getByRole("combobox", { name: "Valeurs permises de store_count" });
    await ue.type(ints, "12{Enter}douze{Enter}");
    expect(screen.getByText("« douze » n'est pas un nombre entier : cette colonne contient des entiers.")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Enregistrer" })).toBeDisabled();

    // Backspace in the empty field takes the last value back.
    await ue.type(ints, "{Backspace}");
    expect(screen.queryByText(/n'est pas un nombre entier/)).not.toBeInTheDocument();
    await ue.click(screen.getByRole("button", { name: "Enregistrer" }));
    await waitFor(() => expect(api.editVersionSchema).toHaveBeenCalledTimes(1));
    // The refusal names the request's first column: store_count.
    expect(await screen.findByText(/Valeurs permises : the allowed value 'x' is given twice/)).toBeInTheDocument();
  });
});
