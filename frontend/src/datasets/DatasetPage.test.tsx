import { configure, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes } from "react-router";
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as client from "../api/client";
import { aDataset, aUser } from "../test/catalog";
import { renderWithProviders } from "../test/render";
import { DatasetPage } from "./DatasetPage";
import { DatasetsPage } from "./DatasetsPage";
import { aParseReport, aProfile, anExecution } from "./testData";

vi.mock("../api/client", async (original) => {
  const actual = await original<typeof import("../api/client")>();
  return {
    ...actual,
    me: vi.fn(),
    getDataset: vi.fn(),
    getDatasetVersion: vi.fn(),
    profileDataset: vi.fn(),
    getExecution: vi.fn(),
    datasetRows: vi.fn(),
    updateDataset: vi.fn(),
    deleteDataset: vi.fn(),
    listDatasets: vi.fn(),
  };
});

const api = vi.mocked(client);
// Queries answer late on a busy machine: wait up to 5 s for what they bring.
configure({ asyncUtilTimeout: 5000 });
// Rendering MUI pages takes seconds on a busy machine.
const SLOW = 45_000;

function renderPage(route = "/datasets/customers") {
  return renderWithProviders(
    <Routes>
      <Route path="/datasets" element={<DatasetsPage />} />
      <Route path="/datasets/:name" element={<DatasetPage />} />
    </Routes>,
    { route },
  );
}

const COLUMNS = ["age", "plan", "churned"];

describe("DatasetPage", () => {
  beforeEach(() => {
    vi.resetAllMocks();
    api.me.mockResolvedValue(aUser({ role: "data_scientist" }));
  });

  it("asks for the missing profile once, follows its execution, then shows it", async () => {
    const withProfile = aDataset({ columns: COLUMNS, profile: aProfile(), profile_execution: 7 });
    api.getDataset.mockResolvedValueOnce(aDataset({ columns: COLUMNS })).mockResolvedValue(withProfile);
    api.profileDataset.mockResolvedValue(anExecution({ status: "queued", progress: 0 }));
    api.getExecution
      .mockResolvedValueOnce(anExecution({ status: "running", progress: 0.5 }))
      .mockResolvedValue(anExecution({ status: "succeeded", progress: 1 }));
    renderPage();

    expect(await screen.findByText("Computing the profile: 50 %")).toBeInTheDocument();
    expect(api.profileDataset).toHaveBeenCalledTimes(1);
    expect(api.profileDataset).toHaveBeenCalledWith("customers", 1);
    expect(api.getExecution).toHaveBeenCalledWith(7);

    // Once the execution has succeeded, the dataset is read again and holds the profile.
    const warnings = await screen.findByTestId("profile-warnings");
    expect(api.profileDataset).toHaveBeenCalledTimes(1);
    const items = within(warnings).getAllByTestId("profile-warning");
    // The most serious first, in its colour.
    expect(items[0]).toHaveAttribute("data-code", "target_leak");
    expect(items[0]).toHaveClass("MuiAlert-colorError");
    expect(items[0]).toHaveTextContent("Suspected target leak");
    expect(items[0]).toHaveTextContent("plan alone predicts churned almost perfectly.");
    expect(items[1]).toHaveClass("MuiAlert-colorInfo");
    expect(screen.getByText("2 warnings")).toBeInTheDocument();

    const cards = screen.getAllByTestId("column-card");
    expect(cards).toHaveLength(3);
    expect(within(cards[0]).getByTestId("column-kind")).toHaveTextContent("Whole number");
    expect(cards[0]).toHaveTextContent("10 % (2)");
    expect(cards[0]).toHaveTextContent("41.5");
    expect(within(cards[0]).getByTestId("column-quantiles")).toHaveTextContent("p50 40");
    expect(within(cards[0]).getByRole("img", { name: "Distribution of age: 18–38 8, 38–58 7, 58–78 3" })).toBeInTheDocument();
    expect(within(cards[1]).getByRole("img", { name: "Most frequent values of plan: basic 12, premium 8" })).toBeInTheDocument();

    expect(screen.getByRole("link", { name: "Train on churned" })).toHaveAttribute(
      "href",
      "/trainings/new?dataset=customers&version=1&target=churned",
    );
  }, SLOW);

  it("leads from a warning to its column", async () => {
    api.getDataset.mockResolvedValue(aDataset({ columns: COLUMNS, profile: aProfile(), profile_execution: 7 }));
    const ue = userEvent.setup();
    renderPage();
    const warnings = await screen.findByTestId("profile-warnings");
    await ue.click(within(warnings).getAllByRole("button", { name: "plan" })[0]);
    const cards = screen.getAllByTestId("column-card");
    expect(cards).toHaveLength(1);
    expect(cards[0]).toHaveTextContent("plan");
    expect(screen.getByLabelText("Find a column")).toHaveValue("plan");
    expect(api.profileDataset).not.toHaveBeenCalled();
  }, SLOW);

  it("shows a failed profile and asks again on request", async () => {
    api.getDataset.mockResolvedValue(aDataset({ columns: COLUMNS, profile_execution: 5 }));
    api.getExecution.mockResolvedValue(anExecution({ id: 5, status: "failed", error: "out of memory" }));
    api.profileDataset.mockResolvedValue(anExecution({ id: 8, status: "queued", progress: 0 }));
    const ue = userEvent.setup();
    renderPage();
    const failed = await screen.findByTestId("profile-failed");
    expect(failed).toHaveTextContent("out of memory");
    expect(api.profileDataset).not.toHaveBeenCalled();
    await ue.click(within(failed).getByRole("button", { name: "Try again" }));
    await waitFor(() => expect(api.profileDataset).toHaveBeenCalledTimes(1));
    await waitFor(() => expect(api.getExecution).toHaveBeenCalledWith(8));
  }, SLOW);

  it("does not ask a viewer's profile, and offers a viewer no change", async () => {
    api.me.mockResolvedValue(aUser({ role: "viewer" }));
    api.getDataset.mockResolvedValue(aDataset({ columns: COLUMNS }));
    renderPage();
    expect(await screen.findByText(/This version has no profile yet/)).toBeInTheDocument();
    expect(api.profileDataset).not.toHaveBeenCalled();
    expect(screen.queryByRole("link", { name: "Clean" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Upload a new version" })).not.toBeInTheDocument();
    expect(screen.queryByRole("link", { name: "Train a model" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Delete" })).not.toBeInTheDocument();
  }, SLOW);

  it("shows the header, the parse report and the actions of a version", async () => {
    api.getDatasetVersion.mockResolvedValue(
      aDataset({ version: 1, latest_version: 3, rows: 20, columns: COLUMNS, parse_report: aParseReport(), profile: aProfile(), steps: [{ op: "drop_columns", columns: ["plan"] }] }),
    );
    const ue = userEvent.setup();
    renderPage("/datasets/customers?version=1");
    const facts = await screen.findByTestId("dataset-facts");
    expect(api.getDatasetVersion).toHaveBeenCalledWith("customers", 1);
    expect(facts).toHaveTextContent("dana");
    expect(facts).toHaveTextContent("20 rows × 3 columns");
    expect(facts).toHaveTextContent("Uploaded file customers.csv (CSV");
    expect(within(facts).getByRole("link", { name: "1 cleaning step recorded" })).toHaveAttribute("href", "/datasets/customers/clean?version=1");
    expect(await screen.findByRole("link", { name: "Clean" })).toHaveAttribute("href", "/datasets/customers/clean?version=1");
    expect(screen.getByRole("link", { name: "Train a model" })).toHaveAttribute("href", "/trainings/new?dataset=customers&version=1");
    expect(screen.getByRole("button", { name: "Upload a new version" })).toBeInTheDocument();

    const report = screen.getByTestId("parse-report");
    expect(report).toHaveTextContent("1 header renamed · 4 cells read as missing · 1 empty column left out · 2 blank or title rows skipped");
    await ue.click(within(report).getByRole("button", { name: /How the file was read/ }));
    expect(report).toHaveTextContent("latin-1");
    expect(report).toHaveTextContent("semicolon (;)");
    expect(report).toHaveTextContent("comma (,)");
    expect(within(report).getByTestId("renamed-headers")).toHaveTextContent('" age "age');
    expect(within(report).getByTestId("renamed-headers")).toHaveTextContent("Spaces around the name");
    expect(within(report).getByTestId("missing-tokens")).toHaveTextContent('"?": 3');
    expect(within(report).getByTestId("dropped-columns")).toHaveTextContent("notes");
    expect(report).toHaveTextContent("Decimal commas read in column income.");

    await ue.click(screen.getByRole("combobox", { name: "Version" }));
    expect(screen.getByRole("option", { name: "v3 (latest)" })).toBeInTheDocument();
  }, SLOW);

  it("shows a page of rows on the data tab", async () => {
    api.getDataset.mockResolvedValue(aDataset({ columns: COLUMNS, profile: aProfile() }));
    api.datasetRows.mockResolvedValue({ columns: ["age", "plan"], rows: [{ age: 31, plan: "basic" }, { age: null, plan: "premium" }], total: 2, page: 1, page_size: 50 });
    const ue = userEvent.setup();
    renderPage();
    await ue.click(await screen.findByRole("tab", { name: "Data" }));
    const table = await screen.findByTestId("dataset-rows");
    expect(api.datasetRows).toHaveBeenCalledWith("customers", 1, 1, 50);
    const rows = within(table).getAllByRole("row");
    expect(rows[1]).toHaveTextContent("31basic");
    expect(rows[2]).toHaveTextContent("–premium");
  }, SLOW);

  it("edits the description and the visibility, sending only what changed", async () => {
    api.getDataset.mockResolvedValue(aDataset({ columns: COLUMNS, profile: aProfile(), description: "old" }));
    api.updateDataset.mockResolvedValue(aDataset({ description: "Customers, FR shop" }));
    const ue = userEvent.setup();
    renderPage();
    await ue.click(await screen.findByRole("button", { name: "Edit" }));
    const dialog = await screen.findByRole("dialog", { name: "Edit customers" });
    const description = within(dialog).getByRole("textbox", { name: "Description" });
    await ue.clear(description);
    await ue.type(description, "Customers, FR shop");
    await ue.click(within(dialog).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(api.updateDataset).toHaveBeenCalledWith("customers", { description: "Customers, FR shop" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
  }, SLOW);

  it("deletes the dataset after a confirmation naming it, then lists the others", async () => {
    // The owner, a business user.
    api.me.mockResolvedValue(aUser({ username: "dana", role: "business_user" }));
    api.getDataset.mockResolvedValue(aDataset({ columns: COLUMNS, profile: aProfile(), version: 3, latest_version: 3 }));
    api.deleteDataset.mockResolvedValue(undefined);
    api.listDatasets.mockResolvedValue({ items: [], total: 0, page: 1, page_size: 20 });
    const ue = userEvent.setup();
    renderPage();
    await ue.click(await screen.findByRole("button", { name: "Delete" }));
    const dialog = await screen.findByRole("dialog", { name: "Delete customers?" });
    expect(dialog).toHaveTextContent("This deletes customers with its 3 versions, their profiles and the trainings run on them.");
    // Cancel leaves it be.
    await ue.click(within(dialog).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(api.deleteDataset).not.toHaveBeenCalled();

    await ue.click(screen.getByRole("button", { name: "Delete" }));
    const again = await screen.findByRole("dialog", { name: "Delete customers?" });
    await ue.click(within(again).getByRole("button", { name: "Delete" }));
    await waitFor(() => expect(api.deleteDataset).toHaveBeenCalledWith("customers"));
    expect(await screen.findByTestId("flash")).toHaveTextContent("customers is deleted.");
    expect(screen.getByRole("heading", { name: "Datasets" })).toBeInTheDocument();
    expect(api.deleteDataset).toHaveBeenCalledTimes(1);
  }, SLOW);

  it("shows the API's refusal of a dataset in use and stays on the page", async () => {
    api.me.mockResolvedValue(aUser({ role: "admin" }));
    api.getDataset.mockResolvedValue(aDataset({ columns: COLUMNS, profile: aProfile() }));
    api.deleteDataset.mockRejectedValue(
      new client.ApiError(
        409,
        "conflict",
        "dataset 'customers' is being read by execution(s) 12: cancel them or wait for them to end",
        "name",
        { executions: [12] },
      ),
    );
    const ue = userEvent.setup();
    renderPage();
    // An admin deletes what others own.
    await ue.click(await screen.findByRole("button", { name: "Delete" }));
    const dialog = await screen.findByRole("dialog", { name: "Delete customers?" });
    expect(dialog).toHaveTextContent("This deletes customers with its version, its profile and the trainings run on it.");
    await ue.click(within(dialog).getByRole("button", { name: "Delete" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent(
      "dataset 'customers' is being read by execution(s) 12: cancel them or wait for them to end",
    );
    // The dialog stays open over the dataset page (hidden from assistive technology behind it).
    expect(screen.getByRole("dialog")).toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "customers", hidden: true })).toBeInTheDocument();
    expect(api.listDatasets).not.toHaveBeenCalled();
  }, SLOW);

  it("offers the delete to the owner and admins only", async () => {
    // A data scientist who does not own it: edit yes, delete no.
    api.me.mockResolvedValue(aUser({ username: "ds", role: "data_scientist" }));
    api.getDataset.mockResolvedValue(aDataset({ columns: COLUMNS, profile: aProfile(), owner: "dana" }));
    renderPage();
    expect(await screen.findByRole("button", { name: "Edit" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Delete" })).not.toBeInTheDocument();
  }, SLOW);
});
