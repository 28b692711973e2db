import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as client from "../api/client";
import type { ApiToken } from "../api/types";
import { renderWithProviders } from "../test/render";
import { MyTokensPage } from "./MyTokensPage";

vi.mock("../api/client", async (original) => {
  const actual = await original<typeof import("../api/client")>();
  return { ...actual, listTokens: vi.fn(), createToken: vi.fn(), revokeToken: vi.fn() };
});

const api = vi.mocked(client);
const token: ApiToken = {
  id: 3,
  user_id: 2,
  username: "analyst",
  name: "laptop",
  prefix: "ab12",
  created_at: "2026-11-23T10:00:00Z",
  expires_at: "2027-02-21T10:00:00Z",
  revoked_at: null,
  last_used_at: null,
};

describe("My API tokens", () => {
  beforeEach(() => vi.resetAllMocks());

  it("lists the user's own tokens and creates one for them, its secret shown once", async () => {
    api.listTokens.mockResolvedValue([token]);
    api.createToken.mockResolvedValue({ token: "mp_secret", api_token: { ...token, id: 4, name: "ci" } });
    const ue = userEvent.setup();
    renderWithProviders(<MyTokensPage />);
    const table = await screen.findByTestId("tokens-table");
    expect(api.listTokens).toHaveBeenCalledWith(false);
    expect(table).toHaveTextContent("laptop");
    expect(table).toHaveTextContent("23 Nov 2026, ");
    // Their own tokens: no user column, no "for user" field.
    expect(within(table).queryByRole("columnheader", { name: "Username" })).not.toBeInTheDocument();
    await ue.click(screen.getByRole("button", { name: "New token" }));
    const dialog = screen.getByRole("dialog");
    expect(within(dialog).queryByLabelText("For user (empty: yourself)")).not.toBeInTheDocument();
    await ue.type(within(dialog).getByLabelText(/Token name/), "ci");
    await ue.click(within(dialog).getByRole("button", { name: "Create" }));
    expect(await screen.findByTestId("new-token")).toHaveValue("mp_secret");
    expect(api.createToken).toHaveBeenCalledWith({ name: "ci", expires_in_days: 90 }, undefined);
  });

  it("revokes one of them", async () => {
    api.listTokens.mockResolvedValue([token]);
    api.revokeToken.mockResolvedValue({ ...token, revoked_at: "2026-11-24T10:00:00Z" });
    const ue = userEvent.setup();
    renderWithProviders(<MyTokensPage />, { lang: "fr" });
    expect(await screen.findByRole("heading", { name: "Mes jetons d'API" })).toBeInTheDocument();
    await ue.click(await screen.findByRole("button", { name: "Révoquer" }));
    await ue.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Révoquer" }));
    await waitFor(() => expect(api.revokeToken).toHaveBeenCalledWith(3));
  });
});
