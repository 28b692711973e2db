/** A stub of the global fetch for the data-access tests (undo it with `vi.unstubAllGlobals()`). */
import { vi } from "vitest";

/** Stubs the global fetch to answer `status` with `body` as JSON; returns the requests it receives. */
export function answer(status: number, body: unknown): Request[] {
  const requests: Request[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (request: Request) => {
      requests.push(request);
      return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
    }),
  );
  return requests;
}
