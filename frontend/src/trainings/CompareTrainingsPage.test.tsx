import { screen, within } from "@testing-library/react";
import { Route, Routes } from "react-router";
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as client from "../api/client";
import { renderWithProviders } from "../test/render";
import { CompareTrainingsPage } from "./CompareTrainingsPage";
import { aBinaryEvaluation, anEntry, aTraining } from "./fixtures";

vi.mock("../api/client", async (original) => {
  const actual = await original<typeof import("../api/client")>();
  return { ...actual, getTraining: vi.fn() };
});

const api = vi.mocked(client);
const WAIT = { timeout: 5000 };

const done = { status: "succeeded" as const, finished_at: "2026-11-20T10:01:00Z", progress: 1 };
const trainings = {
  3: aTraining({
    id: 3,
    ...done,
    budget_s: 60,
    best: anEntry({ candidate: "lightgbm", mean: 0.9, std: 0.01 }),
    leaderboard: [anEntry(), anEntry({ rank: 2, trial: 1 })],
    evaluation: aBinaryEvaluation({ metrics: { roc_auc: 0.91, log_loss: 0.33, accuracy: 0.86 } }),
  }),
  5: aTraining({
    id: 5,
    ...done,
    budget_s: 300,
    options: { folds: 10, holdout: 0.2, seed: 1, time_column: null, candidates: ["linear", "xgboost"] },
    best: anEntry({ candidate: "xgboost", mean: 0.92, std: 0.02 }),
    leaderboard: [anEntry({ candidate: "xgboost" })],
    evaluation: aBinaryEvaluation({ metrics: { roc_auc: 0.89, log_loss: 0.31, accuracy: 0.86 } }),
  }),
};

function rowOf(table: HTMLElement, name: string): HTMLElement[] {
  const row = within(table).getByRole("rowheader", { name }).closest("tr") as HTMLElement;
  return within(row).getAllByRole("cell");
}

describe("CompareTrainingsPage", () => {
  beforeEach(() => {
    vi.resetAllMocks();
    api.getTraining.mockImplementation(async (id) => trainings[id as 3 | 5]);
  });

  it("puts settings, best candidates and holdout metrics side by side, the best of each score row highlighted", async () => {
    renderWithProviders(
      <Routes>
        <Route path="/trainings/compare" element={<CompareTrainingsPage />} />
      </Routes>,
      { route: "/trainings/compare?ids=5,3" },
    );
    const table = await screen.findByTestId("compare-table", {}, WAIT);
    expect(within(table).getAllByRole("columnheader").map((c) => c.textContent)).toEqual(["", "#5 Succeeded", "#3 Succeeded"]);
    expect(rowOf(table, "Time budget").map((c) => c.textContent)).toEqual(["5 min", "1 min"]);
    expect(rowOf(table, "Cross-validation folds").map((c) => c.textContent)).toEqual(["10", "5"]);
    expect(rowOf(table, "Candidates").map((c) => c.textContent)).toEqual(["Linear / logistic, XGBoost", "All"]);
    expect(rowOf(table, "Candidate").map((c) => c.textContent)).toEqual(["XGBoost", "LightGBM"]);

    // Higher is better for the cross-validated ROC-AUC and the holdout ROC-AUC, lower for the log-loss.
    const cv = rowOf(table, "Cross-validated score");
    // The best is said to screen readers too, not only shaded.
    expect(cv.map((c) => c.textContent)).toEqual(["0.92 ± 0.02 (Best)", "0.9 ± 0.01"]);
    expect(cv.map((c) => c.getAttribute("data-best"))).toEqual(["true", null]);
    expect(rowOf(table, "ROC-AUC").map((c) => c.getAttribute("data-best"))).toEqual([null, "true"]);
    expect(rowOf(table, "Log-loss").map((c) => c.getAttribute("data-best"))).toEqual(["true", null]);
    // A tie highlights both.
    expect(rowOf(table, "Accuracy").map((c) => c.getAttribute("data-best"))).toEqual(["true", "true"]);
    // The training's own metric leads the holdout rows.
    const holdoutHeaders = within(table).getAllByRole("rowheader").map((h) => h.textContent);
    expect(holdoutHeaders.slice(holdoutHeaders.indexOf("ROC-AUC"))).toEqual(["ROC-AUC", "Accuracy", "Log-loss"]);
    expect(within(table).getByRole("link", { name: "#3" })).toHaveAttribute("href", "/trainings/3");
  });

  it("asks for two trainings when the link names fewer", async () => {
    renderWithProviders(<CompareTrainingsPage />, { route: "/trainings/compare?ids=3" });
    expect(await screen.findByText("Pick two to four trainings in the list to compare them.")).toBeInTheDocument();
    expect(api.getTraining).not.toHaveBeenCalled();
  });
});
