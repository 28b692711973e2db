import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes } from "react-router";
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as client from "../api/client";
import type { Training } from "../api/types";
import { aUser } from "../test/catalog";
import { renderWithProviders } from "../test/render";
import { anEntry, aTraining } from "./fixtures";
import { TrainingsPage } from "./TrainingsPage";

vi.mock("../api/client", async (original) => {
  const actual = await original<typeof import("../api/client")>();
  return { ...actual, me: vi.fn(), listTrainings: vi.fn(), listDatasets: vi.fn() };
});

const api = vi.mocked(client);
const WAIT = { timeout: 5000 };

function page(items: Training[]) {
  return { items, total: items.length, page: 1, page_size: 20 };
}

function renderList(route = "/trainings", lang: "en" | "fr" = "en") {
  return renderWithProviders(
    <Routes>
      <Route path="/trainings" element={<TrainingsPage />} />
      <Route path="/trainings/compare" element={<p data-testid="compare-page">compare</p>} />
      <Route path="/trainings/new" element={<p data-testid="wizard">wizard</p>} />
    </Routes>,
    { route, lang },
  );
}

const done = { status: "succeeded" as const, best: anEntry({ candidate: "lightgbm", mean: 0.9 }) };

describe("TrainingsPage", () => {
  beforeEach(() => {
    vi.resetAllMocks();
    api.me.mockResolvedValue(aUser());
    api.listDatasets.mockResolvedValue({ items: [], total: 0, page: 1, page_size: 100 });
  });

  it("lists trainings and compares the two to four picked", async () => {
    api.listTrainings.mockResolvedValue(page([aTraining({ id: 9, ...done }), aTraining({ id: 8, ...done }), aTraining({ id: 4 }), aTraining({ id: 2, ...done }), aTraining({ id: 1, ...done })]));
    const ue = userEvent.setup();
    renderList();
    const table = await screen.findByTestId("trainings-table", {}, WAIT);
    const first = within(table).getByRole("rowheader", { name: "#9" }).closest("tr") as HTMLElement;
    expect(first).toHaveTextContent("customers v2");
    expect(first).toHaveTextContent("churned");
    expect(first).toHaveTextContent("Binary classification");
    expect(first).toHaveTextContent("ROC-AUC");
    expect(first).toHaveTextContent("LightGBM · 0.9");
    expect(first).toHaveTextContent("Succeeded");

    const compare = screen.getByTestId("compare-button");
    expect(compare).toBeDisabled();
    await ue.click(screen.getByRole("checkbox", { name: "Pick training #9 to compare" }));
    expect(compare).toBeDisabled();
    for (const id of [8, 2, 1]) await ue.click(screen.getByRole("checkbox", { name: `Pick training #${id} to compare` }));
    // Four is the most: the fifth cannot be picked.
    expect(screen.getByRole("checkbox", { name: "Pick training #4 to compare" })).toBeDisabled();
    expect(compare).toHaveTextContent("Compare (4)");
    await ue.click(compare);
    expect(await screen.findByTestId("compare-page")).toBeInTheDocument();
  });

  it("filters by status through the URL and the API", async () => {
    api.listTrainings.mockResolvedValue(page([]));
    renderList("/trainings?status=failed&dataset=customers");
    expect(await screen.findByText("No training matches these filters.", {}, WAIT)).toBeInTheDocument();
    expect(api.listTrainings).toHaveBeenCalledWith({ dataset: "customers", status: "failed", page: 1, page_size: 20 });
  });

  it("offers to train a model when there is none", async () => {
    api.listTrainings.mockResolvedValue(page([]));
    const ue = userEvent.setup();
    renderList();
    expect(await screen.findByText("No model has been trained yet.", {}, WAIT)).toBeInTheDocument();
    const buttons = await screen.findAllByRole("link", { name: "Train a model" });
    await ue.click(buttons[buttons.length - 1]);
    await waitFor(() => expect(screen.getByTestId("wizard")).toBeInTheDocument());
  });

  it("speaks French", async () => {
    api.listTrainings.mockResolvedValue(page([]));
    renderList("/trainings", "fr");
    expect(await screen.findByText("Aucun modèle n'a encore été entraîné.", {}, WAIT)).toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "Entraînements" })).toBeInTheDocument();
    expect(screen.getByTestId("compare-button")).toHaveTextContent("Comparer (0)");
  });
});
