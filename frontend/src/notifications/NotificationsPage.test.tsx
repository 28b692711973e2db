import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as client from "../api/client";
import type { Notification } from "../api/types";
import { renderWithProviders } from "../test/render";
import { NotificationBell } from "./NotificationBell";
import { NotificationsPage } from "./NotificationsPage";

vi.mock("../api/client", async (original) => {
  const actual = await original<typeof import("../api/client")>();
  return {
    ...actual,
    listNotifications: vi.fn(),
    unreadNotifications: vi.fn(),
    markNotificationRead: vi.fn(),
    markAllNotificationsRead: vi.fn(),
  };
});

const api = vi.mocked(client);

function note(id: number, over: Partial<Notification> = {}): Notification {
  return {
    id,
    event_id: `e${id}`,
    kind: "schedule_skipped",
    title: `Scheduled run ${id} of churn-fr failed`,
    body: "the dataset is no longer in the artifact store",
    link: `/runs/${id}`,
    subject: { type: "deployment", id: 3, name: "churn-fr" },
    created_at: "2026-11-02T10:00:00Z",
    read_at: null,
    ...over,
  };
}

describe("notifications", () => {
  beforeEach(() => vi.resetAllMocks());

  it("the bell shows the unread count and leads to the list", async () => {
    api.unreadNotifications.mockResolvedValue(3);
    renderWithProviders(<NotificationBell />);
    const bell = await screen.findByRole("link", { name: "Notifications: 3 unread" });
    expect(bell).toHaveAttribute("href", "/notifications");
    expect(screen.getByTestId("notification-count")).toHaveTextContent("3");
  });

  it("lists them with a link to their subject, marks one or all read", async () => {
    api.listNotifications.mockResolvedValue({ items: [note(9), note(8, { read_at: "2026-11-02T11:00:00Z", kind: "market_requested", link: null, subject: { type: "model", id: 1, name: "churn" } })], total: 2, page: 1, page_size: 20 });
    api.markNotificationRead.mockResolvedValue(note(9, { read_at: "2026-11-02T12:00:00Z" }));
    api.markAllNotificationsRead.mockResolvedValue({ updated: 1 });
    const ue = userEvent.setup();
    renderWithProviders(<NotificationsPage />);
    const items = await screen.findAllByTestId("notification");
    expect(items[0]).toHaveAttribute("data-unread", "true");
    expect(items[0]).toHaveTextContent("Scheduled run failed");
    expect(screen.getByRole("link", { name: "Scheduled run 9 of churn-fr failed" })).toHaveAttribute("href", "/runs/9");
    expect(screen.getByRole("link", { name: "Scheduled run 8 of churn-fr failed" })).toHaveAttribute("href", "/models/churn");
    expect(screen.getAllByRole("button", { name: "Mark read" })).toHaveLength(1);

    await ue.click(screen.getByRole("button", { name: "Mark read" }));
    await waitFor(() => expect(api.markNotificationRead).toHaveBeenCalledWith(9));
    await ue.click(screen.getByRole("button", { name: "Mark all read" }));
    // Up to the newest one shown: one arriving meanwhile stays unread.
    await waitFor(() => expect(api.markAllNotificationsRead).toHaveBeenCalledWith(9));
  });
});
