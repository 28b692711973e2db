import { describe, expect, it, vi } from "vitest";
import { ApiError } from "./api/client";
import { makeQueryClient } from "./queryClient";

describe("the global 401 handler", () => {
  it("sends the user to sign in, once, from any query, and remembers where they were", async () => {
    window.history.pushState({}, "", "/models?q=churn");
    const toLogin = vi.fn();
    const client = makeQueryClient(toLogin);
    await client
      .fetchQuery({ queryKey: ["x"], queryFn: () => Promise.reject(new ApiError(401, "unauthenticated", "sign in")) })
      .catch(() => undefined);
    expect(toLogin).toHaveBeenCalledWith("/models?q=churn");
  });

  it("leaves other errors to the page, and does not retry a 4xx answer", async () => {
    const toLogin = vi.fn();
    const client = makeQueryClient(toLogin);
    const fn = vi.fn(() => Promise.reject(new ApiError(404, "not_found", "no model")));
    await client.fetchQuery({ queryKey: ["y"], queryFn: fn }).catch(() => undefined);
    expect(toLogin).not.toHaveBeenCalled();
    expect(fn).toHaveBeenCalledTimes(1);
  });
});
