import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes } from "react-router";
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as client from "../api/client";
import { ApiError } from "../api/client";
import type { ColumnProfile, DatasetSummary } from "../api/types";
import { aDataset, aUser } from "../test/catalog";
import { renderWithProviders } from "../test/render";
import { aTraining } from "./fixtures";
import { TrainWizardPage } from "./TrainWizardPage";

vi.mock("../api/client", async (original) => {
  const actual = await original<typeof import("../api/client")>();
  return { ...actual, me: vi.fn(), listDatasets: vi.fn(), getDatasetVersion: vi.fn(), startTraining: vi.fn() };
});

const api = vi.mocked(client);
// Typing into MUI fields takes seconds on a busy machine (make test runs the Python suite alongside).
const SLOW = 45_000;
const WAIT = { timeout: 5000 };

function column(name: string, kind: ColumnProfile["kind"], distinct: number, missingShare = 0): ColumnProfile {
  return { name, kind, dtype: "object", missing: 0, missing_share: missingShare, distinct };
}

const summary: DatasetSummary = {
  id: 1,
  name: "customers",
  description: "",
  visibility: "company",
  owner: "dana",
  latest_version: 2,
  filename: "customers.csv",
  rows: 500,
  columns: 4,
  updated_at: "2026-11-20T10:00:00Z",
};

const customers = aDataset({
  version: 2,
  latest_version: 2,
  rows: 500,
  columns: ["customer_id", "tenure", "plan", "churned"],
  steps: [{ op: "drop_columns", columns: ["customer_id"] }],
  profile: {
    rows: 500,
    columns: [column("customer_id", "id", 500), column("tenure", "integer", 60), column("plan", "category", 3, 0.02), column("churned", "boolean", 2)],
    duplicated_rows: 0,
    warnings: [],
    suggested_targets: ["churned", "plan"],
  },
});

function renderWizard(route = "/trainings/new") {
  return renderWithProviders(
    <Routes>
      <Route path="/trainings/new" element={<TrainWizardPage />} />
      <Route path="/trainings/:id" element={<p data-testid="training-page">training page</p>} />
    </Routes>,
    { route },
  );
}

const next = () => screen.getByRole("button", { name: "Next" });

describe("TrainWizardPage", () => {
  beforeEach(() => {
    vi.resetAllMocks();
    api.me.mockResolvedValue(aUser());
    api.listDatasets.mockResolvedValue({ items: [summary], total: 1, page: 1, page_size: 100 });
    api.getDatasetVersion.mockResolvedValue(customers);
  });

  it(
    "walks dataset, target (suggested first), task and metric, budget, review, then starts and opens the training",
    async () => {
      api.startTraining.mockResolvedValue(aTraining({ id: 12, status: "queued" }));
      const ue = userEvent.setup();
      renderWizard();

      // Dataset
      await ue.click(await screen.findByRole("combobox", { name: "Dataset" }, WAIT));
      await ue.click(screen.getByRole("option", { name: "customers" }));
      expect(screen.getByText(/customers\.csv · 4 columns · 500 rows/)).toBeInTheDocument();
      expect(screen.getByRole("combobox", { name: "Version" })).toHaveTextContent("Latest (v2)");
      await ue.click(next());

      // Target: the profile's suggestions first, then the file's order.
      const radios = await screen.findAllByRole("radio", {}, WAIT);
      expect(radios.map((r) => r.getAttribute("value"))).toEqual(["churned", "plan", "customer_id", "tenure"]);
      expect(screen.getAllByText("Suggested")).toHaveLength(2);
      expect(next()).toBeDisabled();
      await ue.click(screen.getByRole("radio", { name: /^churned/ }));
      await ue.click(next());

      // Task and metric: detected by default; the metrics offered fit the task.
      expect(screen.getByRole("combobox", { name: "Task" })).toHaveTextContent("Detect it (probably Binary classification)");
      await ue.click(screen.getByRole("combobox", { name: "Metric" }));
      const offered = screen.getAllByRole("option").map((o) => o.textContent);
      expect(offered).toEqual(["The usual one (ROC-AUC)", "ROC-AUC", "F1", "Macro-F1", "Accuracy", "Log-loss"]);
      await ue.click(screen.getByRole("option", { name: "F1" }));
      await ue.click(next());

      // Budget: 60 s by default, moved one stop up with the keyboard.
      expect(screen.getByTestId("budget-value")).toHaveTextContent("1 min");
      const slider = screen.getByRole("slider");
      expect(slider).toHaveAttribute("aria-valuetext", "1 min");
      slider.focus();
      await ue.keyboard("{ArrowRight}");
      expect(screen.getByTestId("budget-value")).toHaveTextContent("1 min 30 s");
      await ue.click(next());

      // Review
      const review = screen.getByTestId("train-review");
      expect(review).toHaveTextContent("customers v2");
      expect(review).toHaveTextContent("churned");
      expect(review).toHaveTextContent("F1");
      expect(review).toHaveTextContent("1 step");
      await ue.click(screen.getByRole("button", { name: "Start training" }));

      await waitFor(() => expect(api.startTraining).toHaveBeenCalledTimes(1));
      expect(api.startTraining).toHaveBeenCalledWith({
        dataset: "customers",
        version: null,
        target: "churned",
        task: null,
        metric: "f1",
        budget_s: 90,
        folds: 5,
        holdout: 0.2,
        seed: 0,
        time_column: null,
        candidates: null,
      });
      expect(await screen.findByTestId("training-page")).toBeInTheDocument();
    },
    SLOW,
  );

  it(
    "shows the API's refusal of the target on the target step",
    async () => {
      api.startTraining.mockRejectedValue(
        new ApiError(422, "invalid_argument", "target: column 'plan' has a class with fewer rows than folds (2 < 5)", "target"),
      );
      const ue = userEvent.setup();
      // A link from the dataset's page names the dataset and target: the wizard opens on the task.
      renderWizard("/trainings/new?dataset=customers&version=2&target=plan");
      expect(await screen.findByText("Detect it (probably Multiclass classification)", {}, WAIT)).toBeInTheDocument();
      await ue.click(next());
      await ue.click(next());
      await ue.click(screen.getByRole("button", { name: "Start training" }));

      // Back on the target step, the reason under the target.
      const group = await screen.findByRole("radiogroup", { name: "Target" }, WAIT);
      expect(screen.getByText("Target: column 'plan' has a class with fewer rows than folds (2 < 5).")).toBeInTheDocument();
      expect(within(group).getByRole("radio", { name: /^plan/ })).toBeChecked();
      expect(api.getDatasetVersion).toHaveBeenCalledWith("customers", 2);
      expect(api.startTraining.mock.calls[0][0]).toMatchObject({ dataset: "customers", version: 2, target: "plan" });

      // Another target clears the error and the wizard goes on.
      await ue.click(within(group).getByRole("radio", { name: /^churned/ }));
      expect(screen.queryByText(/fewer rows than folds/)).not.toBeInTheDocument();
    },
    SLOW,
  );

  it(
    "places an advanced setting's refusal on the budget step, its section open",
    async () => {
      api.startTraining.mockRejectedValue(new ApiError(422, "invalid_argument", "time_column: 'tenure' is not a date", "time_column"));
      const ue = userEvent.setup();
      renderWizard("/trainings/new?dataset=customers&target=churned");
      await screen.findByRole("combobox", { name: "Task" }, WAIT);
      await ue.click(next());
      await ue.click(next());
      await ue.click(screen.getByRole("button", { name: "Start training" }));
      expect(await screen.findByText("Time column: 'tenure' is not a date.", {}, WAIT)).toBeVisible();
      expect(screen.getByRole("slider")).toBeInTheDocument();
    },
    SLOW,
  );

  it("asks a business user for the data scientist role", async () => {
    api.me.mockResolvedValue(aUser({ role: "business_user" }));
    renderWizard();
    expect(await screen.findByText(/data scientist/i, {}, WAIT)).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Next" })).not.toBeInTheDocument();
  });
});
