import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { MemoryRouter } from "react-router";
import { I18nProvider, type Lang } from "../i18n";
import { AppTheme } from "../components/AppTheme";

/** Render inside the app's providers, with a fresh query cache and no retries. */
export function renderWithProviders(ui: ReactElement, { lang = "en" as Lang, route = "/" } = {}) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return render(
    <I18nProvider lang={lang}>
      <AppTheme>
        <QueryClientProvider client={client}>
          <MemoryRouter initialEntries={[route]}>{ui}</MemoryRouter>
        </QueryClientProvider>
      </AppTheme>
    </I18nProvider>,
  );
}
