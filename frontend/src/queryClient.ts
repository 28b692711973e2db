/**
 * Server state lives in TanStack Query. A 401 from any query or mutation is handled here, once:
 * the cache is dropped and the user is sent to the sign-in page, to come back where they were.
 */
import { MutationCache, QueryCache, QueryClient } from "@tanstack/react-query";
import { ApiError } from "./api/client";

function isUnauthenticated(err: unknown): boolean {
  return err instanceof ApiError && err.status === 401;
}

export function makeQueryClient(toLogin: (next: string) => void): QueryClient {
  let client: QueryClient;
  const onError = (err: unknown, meta?: Record<string, unknown>) => {
    if (!isUnauthenticated(err) || meta?.skipAuthRedirect) return;
    if (window.location.pathname.startsWith("/login")) return;
    const next = window.location.pathname + window.location.search;
    client.clear();
    toLogin(next);
  };
  client = new QueryClient({
    queryCache: new QueryCache({ onError: (err, query) => onError(err, query.meta) }),
    mutationCache: new MutationCache({ onError: (err, _v, _c, mutation) => onError(err, mutation.meta) }),
    defaultOptions: {
      queries: {
        // Retrying a 4xx answer cannot change it; network and 5xx errors get one more try.
        retry: (count, err) => !(err instanceof ApiError && err.status >= 400 && err.status < 500) && count < 1,
        refetchOnWindowFocus: false,
      },
    },
  });
  return client;
}
