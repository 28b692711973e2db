import { screen, waitFor } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as client from "../api/client";
import { renderWithProviders } from "../test/render";
import { CronHelper } from "./CronHelper";

vi.mock("../api/client", async (original) => {
  const actual = await original<typeof import("../api/client")>();
  return { ...actual, previewSchedule: vi.fn() };
});

const preview = vi.mocked(client.previewSchedule);

describe("CronHelper", () => {
  beforeEach(() => {
    preview.mockReset();
  });

  it("says the schedule in words and lists the next five run times from the server", async () => {
    preview.mockResolvedValue({
      cron: "0 6 * * 1",
      timezone: "UTC",
      next: ["2026-11-23T06:00:00Z", "2026-11-30T06:00:00Z", "2026-12-07T06:00:00Z", "2026-12-14T06:00:00Z", "2026-12-21T06:00:00Z"],
    });
    renderWithProviders(<CronHelper cron="0 6 * * 1" timezone="UTC" />);
    expect(await screen.findByText(/Every Monday at 06:00/)).toBeInTheDocument();
    const list = await screen.findByTestId("cron-next");
    expect(list.querySelectorAll("li")).toHaveLength(5);
    expect(list).toHaveTextContent(/23 Nov 2026/);
    expect(preview).toHaveBeenCalledWith("0 6 * * 1", "UTC", 5);
  });

  it("explains a malformed expression without asking the server", async () => {
    renderWithProviders(<CronHelper cron="every monday" timezone="UTC" />);
    expect(await screen.findByTestId("cron-invalid")).toHaveTextContent(/five parts/);
    expect(preview).not.toHaveBeenCalled();
  });

  it("shows the server's refusal in words", async () => {
    preview.mockImplementation(async () => {
      throw new client.ApiError(422, "invalid_argument", "cron: bad day of week", "cron");
    });
    renderWithProviders(<CronHelper cron="0 6 * * 9" timezone="UTC" />);
    await waitFor(() => expect(screen.getByRole("alert")).toHaveTextContent("Schedule: bad day of week"));
  });

  it("says the schedule in the user's language", async () => {
    preview.mockResolvedValue({ cron: "0 6 * * *", timezone: "UTC", next: ["2026-11-23T06:00:00Z"] });
    renderWithProviders(<CronHelper cron="0 6 * * *" timezone="UTC" />, { lang: "fr" });
    expect(await screen.findByText("Tous les jours à 06:00")).toBeInTheDocument();
    expect(await screen.findByTestId("cron-next")).toHaveTextContent(/23 nov. 2026/);
  });
});
