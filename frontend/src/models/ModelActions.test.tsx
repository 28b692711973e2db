import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes, useLocation } from "react-router";
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as client from "../api/client";
import { aModel, aUser } from "../test/catalog";
import { renderWithProviders } from "../test/render";
import { ArchivedNotice, ModelActions } from "./ModelActions";

vi.mock("../api/client", async (original) => {
  const actual = await original<typeof import("../api/client")>();
  return { ...actual, me: vi.fn(), updateModel: vi.fn(), archiveModel: vi.fn(), restoreModel: vi.fn(), deleteModel: vi.fn() };
});

const api = vi.mocked(client);

function Flash() {
  const state = useLocation().state as { flash?: string } | null;
  return <p data-testid="catalog">{state?.flash}</p>;
}

function renderActions(model = aModel()) {
  return renderWithProviders(
    <Routes>
      <Route path="/models/:name" element={<ModelActions model={model} />} />
      <Route path="/models" element={<Flash />} />
    </Routes>,
    { route: `/models/${model.name}` },
  );
}

const inUse = () =>
  new client.ApiError(409, "conflict", "'churn' cannot be archived: deployments use it ('churn-fr'); delete them first", "name", {
    deployments: ["churn-fr", "churn-de"],
  });

describe("ModelActions", () => {
  beforeEach(() => vi.resetAllMocks());

  it("edits the card and sends only what changed", async () => {
    api.me.mockResolvedValue(aUser());
    api.updateModel.mockResolvedValue(aModel({ title: "Churn risk" }));
    const ue = userEvent.setup();
    renderActions();
    await ue.click(await screen.findByRole("button", { name: "Edit the card" }));
    const dialog = screen.getByRole("dialog", { name: "Edit the card of churn" });
    // The name of a registered model stays.
    expect(within(dialog).queryByTestId("field-name")).not.toBeInTheDocument();
    const title = within(dialog).getByTestId("field-title");
    await ue.clear(title);
    await ue.paste("Churn risk");
    await ue.click(within(dialog).getByTestId("field-visibility"));
    await ue.click(screen.getByRole("option", { name: "Restricted" }));
    expect(within(dialog).getByText("Only users of marketing and the admins will see this model.")).toBeInTheDocument();
    await ue.click(within(dialog).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(api.updateModel).toHaveBeenCalledWith("churn", { title: "Churn risk", visibility: "restricted" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
  });

  it("says which deployments keep the model from being archived, with links to them", async () => {
    api.me.mockResolvedValue(aUser());
    api.archiveModel.mockRejectedValue(inUse());
    const ue = userEvent.setup();
    renderActions();
    await ue.click(await screen.findByRole("button", { name: "More actions" }));
    await ue.click(screen.getByRole("menuitem", { name: "Archive" }));
    await ue.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Archive" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Deployments use this model: churn-fr, churn-de. Delete them first.");
    expect(screen.getByRole("link", { name: "churn-fr" })).toHaveAttribute("href", "/deployments/churn-fr");
  });

  it("deletes a model and goes back to the catalog, saying so", async () => {
    api.me.mockResolvedValue(aUser());
    api.deleteModel.mockResolvedValue(undefined);
    const ue = userEvent.setup();
    renderActions();
    await ue.click(await screen.findByRole("button", { name: "More actions" }));
    await ue.click(screen.getByRole("menuitem", { name: "Delete" }));
    const dialog = screen.getByRole("dialog", { name: "Delete Churn?" });
    expect(dialog).toHaveTextContent("Model churn and its 2 versions will be deleted");
    await ue.click(within(dialog).getByRole("button", { name: "Delete" }));
    expect(await screen.findByTestId("catalog")).toHaveTextContent("Model churn deleted.");
    expect(api.deleteModel).toHaveBeenCalledWith("churn");
  });

  it("restores an archived model at once", async () => {
    api.me.mockResolvedValue(aUser({ username: "admin", role: "admin", department: null }));
    api.restoreModel.mockResolvedValue(aModel());
    const ue = userEvent.setup();
    renderActions(aModel({ state: "archived", archived_at: "2026-11-23T10:00:00Z" }));
    await ue.click(await screen.findByRole("button", { name: "More actions" }));
    await ue.click(screen.getByRole("menuitem", { name: "Restore" }));
    await waitFor(() => expect(api.restoreModel).toHaveBeenCalledWith("churn"));
  });

  it("is not offered to those who may not change the model", async () => {
    for (const who of [aUser({ username: "viewer", role: "viewer" }), aUser({ username: "other", department: "hr" })]) {
      api.me.mockResolvedValue(who);
      const { unmount } = renderActions();
      await waitFor(() => expect(api.me).toHaveBeenCalled());
      await new Promise((r) => setTimeout(r, 50));
      expect(screen.queryByRole("button", { name: "Edit the card" })).not.toBeInTheDocument();
      expect(screen.queryByRole("button", { name: "More actions" })).not.toBeInTheDocument();
      unmount();
    }
  });

  it("offers delete to the owner and admins only", async () => {
    api.me.mockResolvedValue(aUser({ username: "colleague", department: "marketing" }));
    const ue = userEvent.setup();
    renderActions();
    await ue.click(await screen.findByRole("button", { name: "More actions" }));
    expect(screen.getByRole("menuitem", { name: "Archive" })).toBeInTheDocument();
    expect(screen.queryByRole("menuitem", { name: "Delete" })).not.toBeInTheDocument();
  });
});

describe("ArchivedNotice", () => {
  it("says since when a model is archived, in the one date format", () => {
    renderWithProviders(<ArchivedNotice model={aModel({ state: "archived", archived_at: "2026-11-23T10:00:00Z" })} />, { lang: "fr" });
    expect(screen.getByTestId("archived-notice")).toHaveTextContent("Ce modèle a été archivé le 23 nov. 2026");
  });
});
