import { configure, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes } from "react-router";
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as client from "../api/client";
import { aDataset, aUser } from "../test/catalog";
import { renderWithProviders } from "../test/render";
import { DatasetsPage } from "./DatasetsPage";
import { aSummary } from "./testData";

vi.mock("../api/client", async (original) => {
  const actual = await original<typeof import("../api/client")>();
  return { ...actual, me: vi.fn(), listDatasets: vi.fn(), uploadNamedDataset: vi.fn() };
});

const api = vi.mocked(client);
// Queries answer late on a busy machine: wait up to 5 s for what they bring.
configure({ asyncUtilTimeout: 5000 });
// Rendering MUI pages takes seconds on a busy machine.
const SLOW = 45_000;

function renderPage() {
  return renderWithProviders(
    <Routes>
      <Route path="/datasets" element={<DatasetsPage />} />
      <Route path="/datasets/:name" element={<p>dataset page</p>} />
    </Routes>,
    { route: "/datasets" },
  );
}

describe("DatasetsPage", () => {
  beforeEach(() => {
    vi.resetAllMocks();
    api.me.mockResolvedValue(aUser({ role: "business_user" }));
  });

  it("invites the first upload when there is no dataset", async () => {
    api.listDatasets.mockResolvedValue({ items: [], total: 0, page: 1, page_size: 20 });
    renderPage();
    expect(await screen.findByText(/No dataset yet\. Upload a CSV/)).toBeInTheDocument();
    expect(screen.getAllByRole("button", { name: "Upload a dataset" }).length).toBeGreaterThan(0);
    expect(screen.queryByTestId("datasets-table")).not.toBeInTheDocument();
  }, SLOW);

  it("offers a viewer no upload", async () => {
    api.me.mockResolvedValue(aUser({ role: "viewer" }));
    api.listDatasets.mockResolvedValue({ items: [], total: 0, page: 1, page_size: 20 });
    renderPage();
    expect(await screen.findByText(/Business users and data scientists can upload one/)).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Upload a dataset" })).not.toBeInTheDocument();
  }, SLOW);

  it("lists datasets in a table and searches them", async () => {
    api.listDatasets.mockResolvedValue({
      items: [aSummary(), aSummary({ id: 2, name: "orders", description: "", rows: null, columns: 3, owner: "sam", latest_version: 1 })],
      total: 2,
      page: 1,
      page_size: 20,
    });
    const ue = userEvent.setup();
    renderPage();
    const table = await screen.findByTestId("datasets-table");
    const rows = within(table).getAllByRole("row");
    expect(rows).toHaveLength(3);
    expect(within(rows[1]).getByRole("link", { name: "customers" })).toHaveAttribute("href", "/datasets/customers");
    expect(rows[1]).toHaveTextContent("Customers of the FR shop");
    expect(rows[1]).toHaveTextContent("v2");
    expect(rows[1]).toHaveTextContent("1,200");
    expect(rows[1]).toHaveTextContent("dana");
    expect(rows[2]).toHaveTextContent("orders");
    expect(rows[2]).toHaveTextContent("–");
    expect(screen.getByText("2 datasets")).toBeInTheDocument();
    expect(api.listDatasets).toHaveBeenLastCalledWith({ q: undefined, page: 1, page_size: 20 });

    await ue.type(screen.getByLabelText("Search datasets"), "ord");
    await waitFor(() => expect(api.listDatasets).toHaveBeenLastCalledWith({ q: "ord", page: 1, page_size: 20 }));
  }, SLOW);

  it("uploads a file with a name and a description, then opens the dataset", async () => {
    api.listDatasets.mockResolvedValue({ items: [], total: 0, page: 1, page_size: 20 });
    api.uploadNamedDataset.mockResolvedValue(aDataset({ name: "churn-q3" }));
    const ue = userEvent.setup();
    renderPage();
    await ue.click((await screen.findAllByRole("button", { name: "Upload a dataset" }))[0]);
    const dialog = await screen.findByRole("dialog");
    const submit = within(dialog).getByRole("button", { name: "Upload" });
    expect(submit).toBeDisabled();

    const file = new File(["a,b\n1,2\n"], "Churn Q3.csv", { type: "text/csv" });
    const input = within(dialog).getByTestId("dataset-upload-file").querySelector("input[type=file]") as HTMLInputElement;
    await ue.upload(input, file);
    // The name follows the file's until the user types one.
    const name = within(dialog).getByRole("textbox", { name: "Name" });
    expect(name).toHaveValue("churn-q3");
    await ue.type(within(dialog).getByRole("textbox", { name: "Description" }), "Third quarter");
    await ue.click(submit);

    await waitFor(() => expect(api.uploadNamedDataset).toHaveBeenCalledWith(file, { name: "churn-q3", description: "Third quarter" }));
    expect(await screen.findByText("dataset page")).toBeInTheDocument();
  }, SLOW);

  it("shows the API's refusal of the file under the drop zone", async () => {
    api.listDatasets.mockResolvedValue({ items: [], total: 0, page: 1, page_size: 20 });
    api.uploadNamedDataset.mockRejectedValue(
      new client.ApiError(422, "invalid_argument", "file: this is a JSON file, not a CSV", "file"),
    );
    const ue = userEvent.setup();
    renderPage();
    await ue.click((await screen.findAllByRole("button", { name: "Upload a dataset" }))[0]);
    const dialog = await screen.findByRole("dialog");
    const input = within(dialog).getByTestId("dataset-upload-file").querySelector("input[type=file]") as HTMLInputElement;
    await ue.upload(input, new File(["{}"], "data.csv", { type: "text/csv" }));
    await ue.click(within(dialog).getByRole("button", { name: "Upload" }));
    expect(await within(dialog).findByText(/this is a JSON file, not a CSV/)).toBeInTheDocument();
    expect(screen.queryByText("dataset page")).not.toBeInTheDocument();
  }, SLOW);
});
