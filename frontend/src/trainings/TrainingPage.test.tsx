import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes } from "react-router";
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as client from "../api/client";
import { ApiError } from "../api/client";
import type { ModelSearch } from "../api/types";
import { aModel, aUser, aVersion } from "../test/catalog";
import { renderWithProviders } from "../test/render";
import { aBinaryEvaluation, aRegressionEvaluation, anEntry, aTraining } from "./fixtures";
import { TrainingPage } from "./TrainingPage";

vi.mock("../api/client", async (original) => {
  const actual = await original<typeof import("../api/client")>();
  return {
    ...actual,
    me: vi.fn(),
    getTraining: vi.fn(),
    cancelTraining: vi.fn(),
    registerTraining: vi.fn(),
    searchModels: vi.fn(),
    executionLogs: vi.fn(),
  };
});

const api = vi.mocked(client);
// Typing into MUI fields takes seconds on a busy machine (make test runs the Python suite alongside).
const SLOW = 45_000;
/** The page, the user and the log answer in any order: wait for what needs them all. */
const WAIT = { timeout: 5000 };

function renderPage() {
  return renderWithProviders(
    <Routes>
      <Route path="/trainings/:id" element={<TrainingPage />} />
      <Route path="/models/:name" element={<p>model page</p>} />
    </Routes>,
    { route: "/trainings/7" },
  );
}

function search(items = [aModel()]): ModelSearch {
  return { items, total: items.length, page: 1, page_size: 20, facets: {} };
}

const succeeded = aTraining({
  status: "succeeded",
  progress: 1,
  finished_at: "2026-11-20T10:01:02Z",
  leaderboard: [anEntry(), anEntry({ rank: 2, trial: 1, candidate: "random_forest", mean: 0.87, std: 0.01 })],
  best: anEntry(),
  evaluation: aBinaryEvaluation(),
  steps: [{ op: "drop_columns", columns: ["customer_id"] }],
});

describe("TrainingPage", () => {
  beforeEach(() => {
    vi.resetAllMocks();
    api.me.mockResolvedValue(aUser());
    api.executionLogs.mockResolvedValue([]);
    api.searchModels.mockResolvedValue(search());
  });

  it("shows the leaderboard live while the training runs, the best marked", async () => {
    const first = aTraining({ leaderboard: [anEntry({ candidate: "linear", mean: 0.81, std: 0.02 })], best: anEntry({ candidate: "linear", mean: 0.81 }) });
    const later = aTraining({
      progress: 0.7,
      leaderboard: [
        anEntry({ rank: 1, trial: 1, candidate: "lightgbm", mean: 0.9, std: 0.01 }),
        anEntry({ rank: 2, trial: 0, candidate: "linear", mean: 0.81, std: 0.02 }),
      ],
      best: anEntry({ rank: 1, trial: 1, candidate: "lightgbm", mean: 0.9 }),
    });
    api.getTraining.mockResolvedValueOnce(first).mockResolvedValue(later);
    renderPage();

    const board = await screen.findByTestId("leaderboard", {}, WAIT);
    expect(within(board).getAllByTestId("leaderboard-row")).toHaveLength(1);
    expect(screen.getByText("Leaderboard (live)")).toBeInTheDocument();
    expect(screen.getByRole("progressbar", { name: "Training progress" })).toHaveAttribute("aria-valuenow", "40");
    expect(screen.getByTestId("training-clock")).toHaveTextContent(/of 1:00$/);
    expect(await screen.findByRole("button", { name: "Cancel training" }, WAIT)).toBeInTheDocument();
    // The log of the training's execution is read.
    await waitFor(() => expect(api.executionLogs).toHaveBeenCalledWith(70, 0));

    // The next poll brings a better candidate: it takes the first rank and the mark.
    await waitFor(() => expect(within(screen.getByTestId("leaderboard")).getAllByTestId("leaderboard-row")).toHaveLength(2), { timeout: 5000 });
    const rows = within(screen.getByTestId("leaderboard")).getAllByTestId("leaderboard-row");
    expect(rows[0]).toHaveTextContent("LightGBM");
    expect(rows[0]).toHaveTextContent("Best");
    expect(rows[0]).toHaveTextContent("0.9 ± 0.01");
    expect(rows[0]).toHaveTextContent("0.9 · 0.91 · 0.89");
    expect(rows[0]).toHaveAttribute("aria-current", "true");
    expect(rows[1]).not.toHaveTextContent("Best");
    expect(screen.getByRole("progressbar", { name: "Training progress" })).toHaveAttribute("aria-valuenow", "70");
    // No evaluation, no registration while it runs.
    expect(screen.queryByTestId("evaluation")).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Register the best" })).not.toBeInTheDocument();
  });

  it("cancels a running training", async () => {
    let training = aTraining();
    api.getTraining.mockImplementation(async () => training);
    api.cancelTraining.mockImplementation(async () => {
      training = aTraining({ status: "cancelled", finished_at: "2026-11-20T10:00:30Z" });
      return training;
    });
    const ue = userEvent.setup();
    renderPage();
    await ue.click(await screen.findByRole("button", { name: "Cancel training" }, WAIT));
    await waitFor(() => expect(api.cancelTraining).toHaveBeenCalledWith(7));
    await waitFor(() => expect(screen.getByTestId("run-status")).toHaveTextContent("Cancelled"));
    expect(screen.queryByRole("button", { name: "Cancel training" })).not.toBeInTheDocument();
  });

  it("draws the evaluation of a succeeded binary training, with its lineage", async () => {
    api.getTraining.mockResolvedValue({ ...succeeded, mlflow_run_id: "abc123" });
    renderPage();
    const evaluation = await screen.findByTestId("evaluation", {}, WAIT);
    const metrics = within(evaluation).getByTestId("holdout-metrics");
    // The training's metric first.
    expect(within(metrics).getAllByRole("row")[0]).toHaveTextContent("ROC-AUC0.91");
    expect(evaluation).toHaveTextContent("200 rows kept out of training · decision threshold 0.42");

    const cm = within(evaluation).getByTestId("confusion-matrix");
    expect(within(cm).getByRole("rowheader", { name: "yes" }).closest("tr")).toHaveTextContent("yes1832");
    // Shaded by the share of the actual class: 32 of 50 "yes" are found.
    expect(within(cm).getByText("32")).toHaveAttribute("data-share", "0.64");

    expect(within(evaluation).getByTestId("chart-roc")).toHaveAccessibleName("ROC curve of 4 points, area under the curve 0.91");
    expect(within(evaluation).getByText("ROC curve (AUC 0.91)")).toBeInTheDocument();
    expect(within(evaluation).getByTestId("chart-pr")).toBeInTheDocument();
    expect(within(evaluation).getByTestId("chart-calibration")).toBeInTheDocument();
    expect(within(evaluation).getByTestId("chart-importance")).toHaveAccessibleName("Most important columns: tenure 0.12, plan 0.05");
    expect(within(evaluation).queryByTestId("chart-residuals")).not.toBeInTheDocument();
    // The charts are drawn (SVG), not only their frames.
    expect(within(evaluation).getByTestId("chart-roc").querySelector("svg")).not.toBeNull();

    const lineage = screen.getByTestId("training-lineage");
    expect(lineage).toHaveTextContent("customers v2");
    expect(lineage).toHaveTextContent("cccccccccccc");
    expect(lineage).toHaveTextContent("0.9.0+g1234567");
    expect(lineage).toHaveTextContent("abc123");
    expect(screen.getByTestId("training-steps")).toHaveTextContent("customer_id");
    expect(screen.queryByRole("button", { name: "Cancel training" })).not.toBeInTheDocument();
  });

  it("draws residuals for a regression", async () => {
    api.getTraining.mockResolvedValue({ ...succeeded, task: "regression", metric: "rmse", evaluation: aRegressionEvaluation() });
    renderPage();
    const evaluation = await screen.findByTestId("evaluation", {}, WAIT);
    expect(within(evaluation).getByTestId("chart-residuals")).toHaveAccessibleName("Residuals against predictions, 3 points");
    expect(within(evaluation).queryByTestId("confusion-matrix")).not.toBeInTheDocument();
    expect(within(evaluation).queryByTestId("chart-roc")).not.toBeInTheDocument();
    expect(within(within(evaluation).getByTestId("holdout-metrics")).getAllByRole("row")[0]).toHaveTextContent("RMSE3.2");
  });

  it(
    "registers the best as a new model, then shows the challenger report and a link to the model",
    async () => {
      api.getTraining.mockResolvedValueOnce(succeeded).mockResolvedValue({
        ...succeeded,
        registered: [{ model: "customers-churned", version: 1 }],
        challenger: { champion_version: null, metric: "roc_auc", challenger: { roc_auc: 0.91 }, champion: null, better: null },
      });
      api.searchModels.mockResolvedValue(search([]));
      api.registerTraining.mockResolvedValue(aVersion([], { model: "customers-churned", version: 1 }));
      const ue = userEvent.setup();
      renderPage();
      await ue.click(await screen.findByRole("button", { name: "Register the best" }, WAIT));
      const dialog = screen.getByRole("dialog", { name: "Register the best of training #7" });
      // The name is suggested from the dataset and the target; a new model needs its card.
      const name = within(dialog).getByRole("combobox", { name: "Model" });
      expect(name).toHaveValue("customers-churned");
      expect(within(dialog).getByText("A new model: give it a title and a department.")).toBeInTheDocument();
      const submit = within(dialog).getByRole("button", { name: "Register" });
      expect(submit).toBeDisabled();
      await ue.type(within(dialog).getByRole("textbox", { name: "Title" }), "Customer churn");
      await ue.click(within(dialog).getByRole("combobox", { name: /Department/ }));
      await ue.click(screen.getByRole("option", { name: "marketing" }));
      await ue.type(within(dialog).getByRole("textbox", { name: "Aliases" }), "challenger");
      await ue.click(submit);

      await waitFor(() => expect(api.registerTraining).toHaveBeenCalledTimes(1));
      expect(api.registerTraining).toHaveBeenCalledWith(7, {
        model: "customers-churned",
        description: "",
        aliases: ["challenger"],
        visibility: "company",
        title: "Customer churn",
        department: "marketing",
      });
      const done = await screen.findByRole("dialog", { name: "Registered as customers-churned v1" });
      expect(within(done).getByRole("link", { name: "Open customers-churned" })).toHaveAttribute("href", "/models/customers-churned");
      expect(within(done).getByTestId("challenger-verdict")).toHaveTextContent("The model has no champion to compare with.");
      await ue.click(within(done).getByRole("button", { name: "Close" }));
      expect(await screen.findByTestId("training-registered")).toHaveTextContent("Registered as customers-churned v1");
    },
    SLOW,
  );

  it(
    "registers a new version of an existing model: no card asked, the champion compared",
    async () => {
      api.getTraining.mockResolvedValueOnce(succeeded).mockResolvedValue({
        ...succeeded,
        registered: [{ model: "churn", version: 3 }],
        challenger: {
          champion_version: 2,
          metric: "roc_auc",
          challenger: { roc_auc: 0.91, log_loss: 0.33 },
          champion: { roc_auc: 0.88, log_loss: 0.35 },
          better: true,
        },
      });
      api.registerTraining.mockResolvedValue(aVersion([], { model: "churn", version: 3 }));
      const ue = userEvent.setup();
      renderPage();
      await ue.click(await screen.findByRole("button", { name: "Register the best" }, WAIT));
      const dialog = screen.getByRole("dialog");
      const name = within(dialog).getByRole("combobox", { name: "Model" });
      await ue.clear(name);
      await ue.type(name, "churn");
      expect(await within(dialog).findByText("A new version of Churn (v3).")).toBeInTheDocument();
      expect(within(dialog).queryByRole("textbox", { name: "Title" })).not.toBeInTheDocument();
      expect(name).toHaveValue("churn");
      await ue.click(within(dialog).getByRole("button", { name: "Register" }));
      await waitFor(() => expect(api.registerTraining).toHaveBeenCalledTimes(1));
      expect(api.registerTraining.mock.calls[0][1]).toEqual({ model: "churn", description: "", aliases: [], visibility: "company" });
      const done = await screen.findByRole("dialog", { name: "Registered as churn v3" });
      expect(within(done).getByTestId("challenger-verdict")).toHaveTextContent("Better than the champion (v2) on ROC-AUC, on the same holdout.");
      const report = within(done).getByTestId("challenger-report");
      expect(within(report).getByRole("rowheader", { name: "Log-loss" }).closest("tr")).toHaveTextContent("Log-loss0.330.35");
    },
    SLOW,
  );

  it("shows the API's refusal under the model field", async () => {
    api.getTraining.mockResolvedValue(succeeded);
    api.registerTraining.mockRejectedValue(new ApiError(422, "invalid_argument", "model: String should match pattern", "model"));
    const ue = userEvent.setup();
    renderPage();
    await ue.click(await screen.findByRole("button", { name: "Register the best" }, WAIT));
    const dialog = screen.getByRole("dialog");
    await ue.type(within(dialog).getByRole("textbox", { name: "Title" }), "Churn");
    await ue.click(within(dialog).getByRole("combobox", { name: /Department/ }));
    await ue.click(screen.getByRole("option", { name: "sales" }));
    await ue.click(within(dialog).getByRole("button", { name: "Register" }));
    expect(await within(dialog).findByText(/^Model: /)).toBeInTheDocument();
  }, SLOW);

  it("offers neither cancel nor register to a viewer", async () => {
    api.me.mockResolvedValue(aUser({ role: "viewer" }));
    api.getTraining.mockResolvedValue(succeeded);
    renderPage();
    await screen.findByTestId("evaluation", {}, WAIT);
    await waitFor(() => expect(api.me).toHaveBeenCalled());
    expect(screen.queryByRole("button", { name: "Register the best" })).not.toBeInTheDocument();
  });
});
