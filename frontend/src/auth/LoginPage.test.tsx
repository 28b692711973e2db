import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import * as client from "../api/client";
import { renderWithProviders } from "../test/render";
import { LoginPage, safeNext } from "./LoginPage";

vi.mock("../api/client", async (original) => {
  const actual = await original<typeof import("../api/client")>();
  return { ...actual, authConfig: vi.fn(), login: vi.fn() };
});

describe("LoginPage", () => {
  it.each([
    ["/models?q=churn", "/models?q=churn"],
    ["//evil.example/x", "/"],
    ["https://evil.example", "/"],
    ["/login?next=/x", "/"],
    [null, "/"],
  ])("follows only same-site paths after sign-in: %s goes to %s", (next, to) => {
    expect(safeNext(next)).toBe(to);
  });

  it("offers single sign-on when the server has it, and says a wrong password plainly", async () => {
    vi.mocked(client.authConfig).mockResolvedValue({
      sso_enabled: true,
      local_login_enabled: true,
      sso_login_url: "/api/v1/auth/sso/login",
    });
    vi.mocked(client.login).mockImplementation(async () => {
      throw new client.ApiError(401, "unauthenticated", "wrong username or password");
    });
    renderWithProviders(<LoginPage />, { route: "/login" });
    expect(await screen.findByRole("link", { name: "Sign in with SSO" })).toHaveAttribute("href", "/api/v1/auth/sso/login");
    await userEvent.type(screen.getByLabelText(/Username/), "ds");
    await userEvent.type(screen.getByLabelText(/Password/), "nope");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("The username or password is not right.");
  });

  it("offers only password sign-in when single sign-on is off, and says why a single sign-on failed", async () => {
    vi.mocked(client.authConfig).mockResolvedValue({ sso_enabled: false, local_login_enabled: true, sso_login_url: null });
    renderWithProviders(<LoginPage />, { route: "/login?sso_error=access_denied", lang: "fr" });
    expect(await screen.findByRole("button", { name: "Se connecter" })).toBeInTheDocument();
    expect(screen.queryByText("Se connecter avec le SSO")).not.toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent("L'authentification unique n'a pas abouti");
  });
});
