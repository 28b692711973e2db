import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as client from "../api/client";
import { aUser } from "../test/catalog";
import { renderWithProviders } from "../test/render";
import { departmentsOf, UsersTab } from "./UsersTab";

vi.mock("../api/client", async (original) => {
  const actual = await original<typeof import("../api/client")>();
  return { ...actual, listUsers: vi.fn(), updateUser: vi.fn() };
});

const api = vi.mocked(client);
const users = [aUser(), aUser({ id: 2, username: "analyst", role: "business_user", department: null, display_name: "Lukas" })];

describe("users' departments", () => {
  beforeEach(() => vi.resetAllMocks());

  it("are shown and set by an admin", async () => {
    api.listUsers.mockResolvedValue({ items: users, total: 2, page: 1, page_size: 200 });
    api.updateUser.mockResolvedValue({ ...users[1], department: "supply-chain" });
    const ue = userEvent.setup();
    renderWithProviders(<UsersTab />);
    expect(await screen.findByTestId("department-ds")).toHaveTextContent("marketing");
    expect(screen.getByTestId("department-analyst")).toHaveTextContent("–");
    await ue.click(screen.getByRole("button", { name: "Change the department of analyst" }));
    const dialog = screen.getByRole("dialog", { name: "Department of Lukas" });
    await ue.type(within(dialog).getByRole("combobox", { name: "Department" }), "supply-chain");
    await ue.click(within(dialog).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(api.updateUser).toHaveBeenCalledWith("analyst", { department: "supply-chain" }));
  });

  it("can be cleared, and a refusal shows under the field", async () => {
    api.listUsers.mockResolvedValue({ items: users, total: 2, page: 1, page_size: 200 });
    api.updateUser.mockRejectedValue(new client.ApiError(422, "invalid_argument", "department: String should match pattern", "department"));
    const ue = userEvent.setup();
    renderWithProviders(<UsersTab />);
    await ue.click(await screen.findByRole("button", { name: "Change the department of ds" }));
    const dialog = screen.getByRole("dialog");
    await ue.clear(within(dialog).getByRole("combobox", { name: "Department" }));
    await ue.click(within(dialog).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(api.updateUser).toHaveBeenCalledWith("ds", { department: null }));
    expect(await within(dialog).findByText("Department: the format is not accepted.")).toBeInTheDocument();
  });

  it("are offered from the usual ones and those users have", () => {
    expect(departmentsOf([aUser({ department: "legal" })])).toEqual(expect.arrayContaining(["legal", "marketing", "rd"]));
  });
});
