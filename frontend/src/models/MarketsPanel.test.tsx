import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes } from "react-router";
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as client from "../api/client";
import type { Deployment, MarketRequest } from "../api/types";
import { aModel, aSelfService, aUser } from "../test/catalog";
import { renderWithProviders } from "../test/render";
import { MarketsPanel } from "./MarketsPanel";

vi.mock("../api/client", async (original) => {
  const actual = await original<typeof import("../api/client")>();
  return {
    ...actual,
    me: vi.fn(),
    getSelfService: vi.fn(),
    deploySelfService: vi.fn(),
    listMarketRequests: vi.fn(),
    approveMarketRequest: vi.fn(),
    requestMarket: vi.fn(),
  };
});

const api = vi.mocked(client);
// Typing into MUI fields takes seconds on a busy machine (make test runs the Python suite alongside).
const SLOW = 45_000;

function renderPanel() {
  return renderWithProviders(
    <Routes>
      <Route path="/models/:name" element={<MarketsPanel model={aModel({ markets: ["FR", "IT", "ES"] })} />} />
      <Route path="/models/:name/run" element={<p data-testid="run-page">run page</p>} />
    </Routes>,
    { route: "/models/churn" },
  );
}

describe("MarketsPanel", () => {
  beforeEach(() => {
    vi.resetAllMocks();
  });

  it("lets a business user deploy an open market: name prefilled, then the upload of the first file", async () => {
    api.me.mockResolvedValue(aUser({ username: "analyst", role: "business_user" }));
    api.getSelfService.mockResolvedValue(aSelfService());
    api.deploySelfService.mockResolvedValue({ id: 12, name: "churn-it", input: { kind: "upload" } } as Deployment);
    const ue = userEvent.setup();
    renderPanel();
    expect(await screen.findByTestId("markets-opening")).toHaveTextContent("Open to FR, IT — follows alias champion (now v2)");
    expect(screen.getByRole("link", { name: "churn-fr" })).toHaveAttribute("href", "/deployments/churn-fr");

    await ue.click(screen.getByRole("button", { name: "Deploy to my market" }));
    // The open market without a deployment yet, and the API's free name for it.
    expect(screen.getByLabelText(/Deployment name/)).toHaveValue("churn-it");
    expect(screen.queryByLabelText("Run on a schedule")).not.toBeInTheDocument();
    await ue.click(screen.getByLabelText("Score the good rows and report the bad ones in an errors file"));
    await ue.click(screen.getByRole("button", { name: "Deploy" }));
    await waitFor(() => expect(api.deploySelfService).toHaveBeenCalledTimes(1));
    expect(api.deploySelfService).toHaveBeenCalledWith("churn", {
      market: "IT",
      name: "churn-it",
      description: "",
      on_bad_rows: "skip",
      input: { kind: "upload" },
      schedule: null,
    });
    expect(await screen.findByTestId("run-page")).toBeInTheDocument();
  }, SLOW);

  it("shows the owner the pending requests, approved in one click", async () => {
    api.me.mockResolvedValue(aUser());
    api.getSelfService.mockResolvedValue(aSelfService({ can_manage: true, can_deploy: true, can_request: true, pending_requests: 1 }));
    const pending: MarketRequest = {
      id: 5,
      model: "churn",
      model_title: "Churn",
      market: "ES",
      message: "Spain needs it",
      status: "pending",
      requested_by: "analyst",
      created_at: "2026-11-02T10:00:00Z",
      decided_by: null,
      decided_at: null,
      reason: null,
    };
    api.listMarketRequests.mockResolvedValue({ items: [pending], total: 1, page: 1, page_size: 50 });
    api.approveMarketRequest.mockResolvedValue({ ...pending, status: "approved" });
    const ue = userEvent.setup();
    renderPanel();
    expect(await screen.findByTestId("market-requests")).toHaveTextContent("Spain needs it");
    await ue.click(screen.getByRole("button", { name: "Approve ES" }));
    // The model is open already: the market is added, no body needed.
    await waitFor(() => expect(api.approveMarketRequest).toHaveBeenCalledWith(5, undefined));
    expect(api.listMarketRequests).toHaveBeenCalledWith({ model: "churn", status: "pending", view: "received" });
  }, SLOW);

  it("offers a viewer nothing to do", async () => {
    api.me.mockResolvedValue(aUser({ username: "viewer", role: "viewer" }));
    api.getSelfService.mockResolvedValue(aSelfService({ can_deploy: false, can_request: false }));
    renderPanel();
    expect(await screen.findByTestId("markets-opening")).toBeInTheDocument();
    expect(screen.queryByRole("button")).not.toBeInTheDocument();
  }, SLOW);
});
