import { configure, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes } from "react-router";
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as client from "../api/client";
import type { CleaningPreview, CleaningStep } from "../api/types";
import { aDataset, aUser } from "../test/catalog";
import { renderWithProviders } from "../test/render";
import { CleaningPage } from "./CleaningPage";

vi.mock("../api/client", async (original) => {
  const actual = await original<typeof import("../api/client")>();
  return {
    ...actual,
    me: vi.fn(),
    getDataset: vi.fn(),
    getDatasetVersion: vi.fn(),
    previewCleaning: vi.fn(),
    saveCleaning: vi.fn(),
  };
});

const api = vi.mocked(client);
// Queries answer late on a busy machine: wait up to 5 s for what they bring.
configure({ asyncUtilTimeout: 5000 });
// Typing into MUI fields takes seconds on a busy machine.
const SLOW = 45_000;
const COLUMNS = ["age", "plan", "signup"];
const RECORDED: CleaningStep[] = [{ op: "drop_columns", columns: ["signup"] }];

function preview(steps: CleaningStep[]): CleaningPreview {
  return {
    columns: COLUMNS.filter((c) => c !== "signup"),
    rows: [
      { age: 31, plan: "basic" },
      { age: 45, plan: null },
    ],
    rows_before: 20,
    rows_after: 18,
    effects: steps.map((s, i) => ({ step: i, op: s.op, message: i === 0 ? "1 column dropped" : `step ${i + 1} done` })),
  };
}

function renderPage(route = "/datasets/customers/clean?version=2") {
  return renderWithProviders(
    <Routes>
      <Route path="/datasets/:name/clean" element={<CleaningPage />} />
      <Route path="/datasets/:name" element={<p>dataset page</p>} />
    </Routes>,
    { route },
  );
}

async function addCast(ue: ReturnType<typeof userEvent.setup>, column: string) {
  const form = screen.getByTestId("step-form");
  await ue.click(within(form).getByRole("combobox", { name: "Operation" }));
  await ue.click(screen.getByRole("option", { name: "Change a column's type" }));
  await ue.click(within(form).getByRole("combobox", { name: "Column" }));
  await ue.click(screen.getByRole("option", { name: column }));
  await ue.click(within(form).getByRole("combobox", { name: "New type" }));
  await ue.click(screen.getByRole("option", { name: "Category" }));
  await ue.click(within(form).getByRole("button", { name: "Add the step" }));
}

describe("CleaningPage", () => {
  beforeEach(() => {
    vi.resetAllMocks();
    api.me.mockResolvedValue(aUser({ role: "business_user" }));
    api.getDatasetVersion.mockResolvedValue(aDataset({ version: 2, latest_version: 2, columns: COLUMNS, steps: RECORDED }));
    api.previewCleaning.mockImplementation(async (_n, _v, steps) => preview(steps));
  });

  it("adds a step, previews its effect and the first rows, then saves", async () => {
    api.saveCleaning.mockResolvedValue(aDataset());
    const ue = userEvent.setup();
    renderPage();
    const list = await screen.findByTestId("cleaning-steps");
    expect(within(list).getAllByTestId("cleaning-step")).toHaveLength(1);
    expect(list).toHaveTextContent("Drop signup");
    await waitFor(() => expect(api.previewCleaning).toHaveBeenCalledWith("customers", 2, RECORDED));
    expect(await screen.findByText("1 column dropped")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Save the steps" })).toBeDisabled();

    await addCast(ue, "plan");
    const steps = within(list).getAllByTestId("cleaning-step");
    expect(steps).toHaveLength(2);
    expect(steps[1]).toHaveTextContent("Read plan as Category");
    const expected: CleaningStep[] = [...RECORDED, { op: "cast", column: "plan", to: "category" }];
    await waitFor(() => expect(api.previewCleaning).toHaveBeenLastCalledWith("customers", 2, expected));
    expect(await within(steps[1]).findByTestId("step-effect")).toHaveTextContent("step 2 done");

    const shown = screen.getByTestId("cleaning-preview");
    expect(within(shown).getByTestId("preview-counts")).toHaveTextContent("20 rows before, 18 after · 2 rows removed · 2 columns");
    const rows = within(within(shown).getByTestId("preview-rows")).getAllByRole("row");
    expect(rows).toHaveLength(3);
    expect(rows[1]).toHaveTextContent("131basic");

    await ue.click(screen.getByRole("button", { name: "Save the steps" }));
    await waitFor(() => expect(api.saveCleaning).toHaveBeenCalledWith("customers", 2, expected));
    expect(await screen.findByText("dataset page")).toBeInTheDocument();
  }, SLOW);

  it("shows the API's refusal next to the step it names", async () => {
    api.previewCleaning.mockImplementation(async (_n, _v, steps) => {
      if (steps.length > 1) {
        throw new client.ApiError(422, "invalid_argument", "steps[1].column: no column 'signup' here (dropped by step 1)", "steps[1].column");
      }
      return preview(steps);
    });
    const ue = userEvent.setup();
    renderPage();
    await screen.findByTestId("cleaning-steps");
    await addCast(ue, "age");

    const error = await screen.findByTestId("step-error");
    const steps = screen.getAllByTestId("cleaning-step");
    expect(steps[1]).toContainElement(error);
    expect(error).toHaveTextContent("no column 'signup' here (dropped by step 1)");
    expect(within(steps[0]).queryByTestId("step-error")).not.toBeInTheDocument();
    expect(screen.getByText("The preview comes back once the steps are fixed.")).toBeInTheDocument();

    // Removing the step clears it.
    await ue.click(screen.getByRole("button", { name: "Remove step 2" }));
    await waitFor(() => expect(screen.queryByTestId("step-error")).not.toBeInTheDocument());
    expect(screen.getAllByTestId("cleaning-step")).toHaveLength(1);
  }, SLOW);

  it("moves a step and shows a save's refusal on its step", async () => {
    api.getDatasetVersion.mockResolvedValue(
      aDataset({
        version: 2,
        columns: COLUMNS,
        steps: [
          { op: "drop_columns", columns: ["signup"] },
          { op: "date_parts", column: "signup", parts: ["year", "month"], drop: true },
        ],
      }),
    );
    api.saveCleaning.mockRejectedValue(new client.ApiError(422, "invalid_argument", "steps.0.date_parts.column: not a date", "steps.0.date_parts.column"));
    const ue = userEvent.setup();
    renderPage();
    await screen.findByTestId("cleaning-steps");
    await ue.click(screen.getByRole("button", { name: "Move step 2 up" }));
    const steps = screen.getAllByTestId("cleaning-step");
    expect(steps[0]).toHaveTextContent("Split signup into year and month");
    expect(steps[1]).toHaveTextContent("Drop signup");

    await ue.click(screen.getByRole("button", { name: "Save the steps" }));
    const error = await screen.findByTestId("step-error");
    expect(screen.getAllByTestId("cleaning-step")[0]).toContainElement(error);
    expect(error).toHaveTextContent("not a date");
    expect(screen.queryByText("dataset page")).not.toBeInTheDocument();
  }, SLOW);

  it("lets a viewer read the steps only", async () => {
    api.me.mockResolvedValue(aUser({ role: "viewer" }));
    renderPage();
    expect(await screen.findByText(/Your role lets you read these steps/)).toBeInTheDocument();
    expect(screen.getByTestId("cleaning-steps")).toHaveTextContent("Drop signup");
    expect(screen.queryByTestId("step-form")).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Remove step 1" })).not.toBeInTheDocument();
    expect(api.previewCleaning).not.toHaveBeenCalled();
  });
});
