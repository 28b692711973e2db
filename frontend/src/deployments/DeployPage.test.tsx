import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes } from "react-router";
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as client from "../api/client";
import type { Deployment } from "../api/types";
import { aDataset, aModel, aUser } from "../test/catalog";
import { renderWithProviders } from "../test/render";
import { DeployPage } from "./DeployPage";

vi.mock("../api/client", async (original) => {
  const actual = await original<typeof import("../api/client")>();
  return {
    ...actual,
    me: vi.fn(),
    getModel: vi.fn(),
    listVersions: vi.fn(),
    listConnections: vi.fn(),
    previewSchedule: vi.fn(),
    uploadDataset: vi.fn(),
    createDeployment: vi.fn(),
    createDeployments: vi.fn(),
  };
});

const api = vi.mocked(client);
// Typing into MUI fields takes seconds on a busy machine (make test runs the Python suite alongside).
const SLOW = 45_000;
const SHA = "b".repeat(64);

function renderPage() {
  return renderWithProviders(
    <Routes>
      <Route path="/models/:name/deploy" element={<DeployPage />} />
      <Route path="/deployments/:name" element={<p>deployment page</p>} />
    </Routes>,
    { route: "/models/churn/deploy" },
  );
}

describe("DeployPage", () => {
  beforeEach(() => {
    vi.resetAllMocks();
    api.me.mockResolvedValue(aUser());
    api.getModel.mockResolvedValue(aModel({ markets: ["FR"] }));
    api.listVersions.mockResolvedValue([]);
    api.listConnections.mockResolvedValue([]);
    api.previewSchedule.mockResolvedValue({ cron: "0 6 * * 1", timezone: "Europe/Paris", next: ["2026-11-23T05:00:00Z"] });
    api.uploadDataset.mockResolvedValue(aDataset({ sha256: SHA, size: 10, columns: ["tenure"] }));
  });

  it("offers the schedule only with a stored input, in the market's usual time zone", async () => {
    api.createDeployment.mockResolvedValue({ id: 9, name: "churn-fr" } as Deployment);
    const ue = userEvent.setup();
    renderPage();
    expect(await screen.findByTestId("schedule-needs-stored")).toBeInTheDocument();
    expect(screen.queryByLabelText("Run on a schedule")).not.toBeInTheDocument();

    await ue.click(screen.getByLabelText("A stored dataset (upload it here, once)"));
    const input = screen.getByTestId("dataset-file").querySelector("input[type=file]") as HTMLInputElement;
    await ue.upload(input, new File(["tenure\n1\n"], "customers.csv", { type: "text/csv" }));
    expect(await screen.findByTestId("dataset-file-stored")).toHaveTextContent("customers.csv is stored (1 column)");

    await ue.click(screen.getByLabelText("Run on a schedule"));
    expect(screen.getByText("The usual time zone of FR")).toBeInTheDocument();
    // 05:00 UTC, written in the schedule's own zone (Paris), whatever the browser's zone.
    expect(await screen.findByTestId("cron-next")).toHaveTextContent(/23 Nov 2026, 06:00/);

    await ue.click(screen.getByRole("button", { name: "Deploy" }));
    await waitFor(() => expect(api.createDeployment).toHaveBeenCalledTimes(1));
    expect(api.createDeployment.mock.calls[0][0]).toMatchObject({
      name: "churn-fr",
      market: "FR",
      alias: "champion",
      input: { kind: "dataset", dataset: SHA, filename: "customers.csv" },
      schedule: { cron: "0 6 * * 1", timezone: "Europe/Paris" },
    });
  }, SLOW);

  it("shows the API's refusal of the schedule next to the schedule field", async () => {
    api.createDeployment.mockRejectedValue(
      new client.ApiError(422, "invalid_argument", "a schedule needs a stored input: upload a dataset", "schedule"),
    );
    const ue = userEvent.setup();
    renderPage();
    await ue.click(await screen.findByLabelText("A SQL query on a connection"));
    await ue.click(screen.getByLabelText("Run on a schedule"));
    await ue.click(screen.getByRole("button", { name: "Deploy" }));
    const cron = await screen.findByTestId("cron");
    const help = document.getElementById(cron.getAttribute("aria-describedby") ?? "");
    await waitFor(() => expect(help).toHaveTextContent("Schedule: a schedule needs a stored input: upload a dataset."));
    expect(within(document.body).queryAllByRole("alert").some((a) => a.textContent?.includes("Schedule:"))).toBe(false);
  }, SLOW);

  it("deploys several markets in one request with the bad-row policy", async () => {
    api.getModel.mockResolvedValue(aModel({ markets: ["FR", "DE"] }));
    api.createDeployments.mockResolvedValue([]);
    const ue = userEvent.setup();
    renderPage();
    const markets = await screen.findByTestId("markets");
    await ue.type(markets, "FR{Enter}DE{Enter}");
    expect(screen.getByLabelText(/Name prefix/)).toHaveValue("churn");
    expect(screen.getByText("The deployments will be named churn-fr, churn-de.")).toBeInTheDocument();
    await ue.click(screen.getByLabelText("Score the good rows and report the bad ones in an errors file"));
    await ue.click(screen.getByRole("button", { name: "Deploy to 2 markets" }));
    await waitFor(() => expect(api.createDeployments).toHaveBeenCalledTimes(1));
    expect(api.createDeployments.mock.calls[0][0]).toMatchObject({ markets: ["FR", "DE"], name_prefix: "churn", on_bad_rows: "skip", schedule: null });
  }, SLOW);
});
