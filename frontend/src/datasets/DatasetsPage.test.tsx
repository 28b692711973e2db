import { configure, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes, useLocation, useParams } from "react-router";
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as client from "../api/client";
import { aDataset, aUser } from "../test/catalog";
import { renderWithProviders } from "../test/render";
import { DatasetsPage } from "./DatasetsPage";
import { aSummary } from "./testData";

const NO_DATASET = { items: [], total: 0, page: 1, page_size: 20 };
const CONNECTIONS = [
  { name: "warehouse", kind: "postgresql" },
  { name: "crm", kind: "mssql" },
];

vi.mock("../api/client", async (original) => {
  const actual = await original<typeof import("../api/client")>();
  return { ...actual, me: vi.fn(), listDatasets: vi.fn(), uploadNamedDataset: vi.fn(), listConnections: vi.fn(), snapshotDataset: vi.fn() };
});

const api = vi.mocked(client);
// Queries answer late on a busy machine: wait up to 5 s for what they bring.
configure({ asyncUtilTimeout: 5000 });
// Rendering MUI pages takes seconds on a busy machine.
const SLOW = 45_000;

/** The dataset page's place: its name and the flash it was sent. */
function DatasetStub() {
  const { name } = useParams();
  const flash = (useLocation().state as { flash?: string } | null)?.flash;
  return (
    <p>
      dataset page {name} {flash}
    </p>
  );
}

function renderPage(lang: "en" | "fr" = "en") {
  return renderWithProviders(
    <Routes>
      <Route path="/datasets" element={<DatasetsPage />} />
      <Route path="/datasets/:name" element={<DatasetStub />} />
    </Routes>,
    { route: "/datasets", lang },
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
    expect(await screen.findByText(/dataset page churn-q3/)).toBeInTheDocument();
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
    expect(screen.queryByText(/dataset page/)).not.toBeInTheDocument();
  }, SLOW);

  it("offers a business user no SQL query", async () => {
    api.listDatasets.mockResolvedValue(NO_DATASET);
    renderPage();
    expect(await screen.findByText(/No dataset yet\. Upload a CSV/)).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "From a SQL query" })).not.toBeInTheDocument();
    expect(api.listConnections).not.toHaveBeenCalled();
  }, SLOW);

  it("snapshots a SQL query on a chosen connection, then opens the new dataset", async () => {
    api.me.mockResolvedValue(aUser({ role: "data_scientist" }));
    api.listDatasets.mockResolvedValue(NO_DATASET);
    api.listConnections.mockResolvedValue(CONNECTIONS);
    api.snapshotDataset.mockResolvedValue(
      aDataset({ name: "fr-customers", version: 1, source: { kind: "sql", connection: "warehouse", query: "select 1" } }),
    );
    const ue = userEvent.setup();
    renderPage();
    await ue.click(await screen.findByRole("button", { name: "From a SQL query" }));
    const dialog = await screen.findByRole("dialog", { name: "A dataset from a SQL query" });
    const submit = within(dialog).getByRole("button", { name: "Run and store" });
    expect(submit).toBeDisabled();

    await ue.click(within(dialog).getByRole("combobox", { name: /Connection/ }));
    const options = await screen.findAllByRole("option");
    expect(options.map((o) => o.textContent)).toEqual(["warehouse (postgresql)", "crm (mssql)"]);
    await ue.click(screen.getByRole("option", { name: "warehouse (postgresql)" }));
    // A query on several lines stays as typed.
    await ue.type(within(dialog).getByRole("textbox", { name: /Query/ }), "SELECT *{Enter}FROM customers{Enter}WHERE country = 'FR'");
    expect(submit).toBeDisabled();
    await ue.type(within(dialog).getByRole("textbox", { name: /Name/ }), "fr-customers");
    await ue.type(within(dialog).getByRole("textbox", { name: "Description" }), "FR customers, nightly");
    expect(submit).toBeEnabled();
    await ue.click(submit);

    await waitFor(() =>
      expect(api.snapshotDataset).toHaveBeenCalledWith({
        connection: "warehouse",
        query: "SELECT *\nFROM customers\nWHERE country = 'FR'",
        name: "fr-customers",
        description: "FR customers, nightly",
      }),
    );
    expect(await screen.findByText(/dataset page fr-customers/)).toHaveTextContent(
      "fr-customers v1 is stored from the query on warehouse.",
    );
  }, SLOW);

  it.each([
    ["connection", /Connection/, "no connection named 'old' (MODELPORT_CONNECTIONS knows: crm, warehouse)", "invalid_argument", 422],
    ["query", /Query/, "the query failed: relation \"nope\" does not exist", "invalid_argument", 422],
    ["name", /Name/, "a dataset named 'fr-customers' already exists", "already_exists", 409],
  ])("shows the API's refusal under the field it names: %s", async (field, label, message, code, status) => {
    api.me.mockResolvedValue(aUser({ role: "data_scientist" }));
    api.listDatasets.mockResolvedValue(NO_DATASET);
    // One connection: it is chosen already.
    api.listConnections.mockResolvedValue([CONNECTIONS[0]]);
    api.snapshotDataset.mockRejectedValue(new client.ApiError(status, code, message, field));
    const ue = userEvent.setup();
    renderPage();
    await ue.click(await screen.findByRole("button", { name: "From a SQL query" }));
    const dialog = await screen.findByRole("dialog");
    expect(within(dialog).getByRole("combobox", { name: /Connection/ })).toHaveTextContent("warehouse (postgresql)");
    await ue.type(within(dialog).getByRole("textbox", { name: /Query/ }), "select * from nope");
    await ue.type(within(dialog).getByRole("textbox", { name: /Name/ }), "fr-customers");
    await ue.click(within(dialog).getByRole("button", { name: "Run and store" }));
    await waitFor(() => expect(api.snapshotDataset).toHaveBeenCalledTimes(1));

    const input = field === "connection" ? within(dialog).getByRole("combobox", { name: label }) : within(dialog).getByRole("textbox", { name: label });
    const box = input.closest(".MuiFormControl-root") as HTMLElement;
    const shown = field === "name" ? "this value is already taken" : message.replace(/^the query failed: /, "");
    await waitFor(() => expect(box.querySelector(".MuiFormHelperText-root")).toHaveTextContent(shown));
    expect(box.querySelector(".MuiFormHelperText-root")).toHaveClass("Mui-error");
    // Placed under its field, not above the form; the dialog stays open.
    expect(within(dialog).queryByRole("alert")).not.toBeInTheDocument();
    expect(screen.queryByText(/dataset page/)).not.toBeInTheDocument();
  }, SLOW);

  it("says when the server has no connection and lets nothing run", async () => {
    api.me.mockResolvedValue(aUser({ role: "admin" }));
    api.listDatasets.mockResolvedValue(NO_DATASET);
    api.listConnections.mockResolvedValue([]);
    const ue = userEvent.setup();
    renderPage();
    await ue.click(await screen.findByRole("button", { name: "From a SQL query" }));
    const dialog = await screen.findByRole("dialog");
    expect(await within(dialog).findByText(/No connection is configured on the server/)).toBeInTheDocument();
    await ue.type(within(dialog).getByRole("textbox", { name: /Query/ }), "select 1");
    await ue.type(within(dialog).getByRole("textbox", { name: /Name/ }), "one");
    expect(within(dialog).getByRole("button", { name: "Run and store" })).toBeDisabled();
  }, SLOW);

  it("speaks French", async () => {
    api.me.mockResolvedValue(aUser({ role: "data_scientist" }));
    api.listDatasets.mockResolvedValue(NO_DATASET);
    api.listConnections.mockResolvedValue([]);
    const ue = userEvent.setup();
    renderPage("fr");
    await ue.click(await screen.findByRole("button", { name: "Depuis une requête SQL" }));
    const dialog = await screen.findByRole("dialog", { name: "Un jeu de données depuis une requête SQL" });
    expect(within(dialog).getByRole("textbox", { name: /Requête/ })).toBeInTheDocument();
    expect(await within(dialog).findByText(/Aucune connexion n'est configurée/)).toBeInTheDocument();
    expect(within(dialog).getByRole("button", { name: "Exécuter et garder" })).toBeDisabled();
  }, SLOW);
});
