import { CssBaseline } from "@mui/material";
import { QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { RouterProvider } from "react-router";
import { I18nProvider } from "./i18n";
import { makeQueryClient } from "./queryClient";
import { router } from "./routes";
import { AppTheme } from "./components/AppTheme";

const queryClient = makeQueryClient((next) => {
  void router.navigate(`/login?next=${encodeURIComponent(next)}`, { replace: true });
});

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <I18nProvider>
      <AppTheme>
        <CssBaseline />
        <QueryClientProvider client={queryClient}>
          <RouterProvider router={router} />
        </QueryClientProvider>
      </AppTheme>
    </I18nProvider>
  </StrictMode>,
);
