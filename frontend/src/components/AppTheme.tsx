/** The theme of the language shown: MUI's and the data grid's own texts follow the language switch. */
import { ThemeProvider } from "@mui/material";
import { useMemo, type ReactNode } from "react";
import { useI18n } from "../i18n";
import { themeFor } from "../theme";

export function AppTheme({ children }: { children: ReactNode }) {
  const { lang } = useI18n();
  const theme = useMemo(() => themeFor(lang), [lang]);
  return <ThemeProvider theme={theme}>{children}</ThemeProvider>;
}
