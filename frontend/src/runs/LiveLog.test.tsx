import { screen, waitFor } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as client from "../api/client";
import type { ExecutionLog } from "../api/types";
import { renderWithProviders } from "../test/render";
import { LiveLog } from "./LiveLog";
import { PAGE } from "./liveLog";

vi.mock("../api/client", async (original) => {
  const actual = await original<typeof import("../api/client")>();
  return { ...actual, executionLogs: vi.fn() };
});

const api = vi.mocked(client);
const line = (id: number): ExecutionLog => ({ id, at: "2026-11-23T05:07:09Z", level: "info", message: `line ${id}` });

/** The logs route: at most PAGE lines after `after`, from a log of `total` lines. */
function logOf(total: () => number) {
  return async (_id: number, after = 0) => {
    const out: ExecutionLog[] = [];
    for (let id = after + 1; id <= Math.min(total(), after + PAGE); id++) out.push(line(id));
    return out;
  };
}

describe("LiveLog", () => {
  beforeEach(() => vi.resetAllMocks());

  it("reaches the last lines of a finished run's long log, page after page", async () => {
    api.executionLogs.mockImplementation(logOf(() => 3500));
    renderWithProviders(<LiveLog id={7} live={false} />);
    const box = await screen.findByTestId("run-logs");
    await waitFor(() => expect(box).toHaveTextContent("line 3500"));
    expect(box).not.toHaveTextContent(/line 1\b/);
    expect(screen.getByTestId("log-dropped")).toHaveTextContent("1500 earlier lines are left out");
    expect(api.executionLogs.mock.calls.map((c) => c[1])).toEqual([0, 1000, 2000, 3000]);
  });

  it("shows the new lines of a live run without a reload", async () => {
    let total = 2;
    api.executionLogs.mockImplementation(logOf(() => total));
    renderWithProviders(<LiveLog id={7} live />);
    const box = await screen.findByTestId("run-logs");
    await waitFor(() => expect(box).toHaveTextContent("line 2"));
    total = 5;
    await waitFor(() => expect(box).toHaveTextContent("line 5"), { timeout: 4000 });
    // Each poll asks only for the lines after the last one seen: the log is read once from its start.
    const afters = api.executionLogs.mock.calls.map((c) => c[1]);
    expect(afters.filter((a) => a === 0)).toHaveLength(1);
    expect(afters).toContain(2);
  });
});
