/**
 * The one theme: calm colours with AA contrast, compact enough for a 1280 px screen; per language, the
 * texts MUI and its data grid write themselves ("Rows per page", "1–25 of 100"...) in that language.
 */
import { enUS as materialEn, frFR as materialFr } from "@mui/material/locale";
import { createTheme, type ThemeOptions } from "@mui/material/styles";
import { enUS as gridEn, frFR as gridFr } from "@mui/x-data-grid/locales";

const options: ThemeOptions = {
  palette: {
    mode: "light",
    primary: { main: "#1f4e79" },
    secondary: { main: "#7a3e9d" },
    success: { main: "#1b6e3a" },
    warning: { main: "#8a5300" },
    error: { main: "#b3261e" },
    background: { default: "#f5f7fa", paper: "#ffffff" },
    text: { secondary: "#4a5563" },
  },
  shape: { borderRadius: 8 },
  typography: {
    fontFamily: '"Inter", "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
    h1: { fontSize: "1.75rem", fontWeight: 600 },
    h2: { fontSize: "1.35rem", fontWeight: 600 },
    h3: { fontSize: "1.1rem", fontWeight: 600 },
    h4: { fontSize: "1rem", fontWeight: 600 },
  },
  components: {
    MuiButton: { defaultProps: { disableElevation: true }, styleOverrides: { root: { textTransform: "none" } } },
    MuiTab: { styleOverrides: { root: { textTransform: "none" } } },
    MuiCard: { defaultProps: { variant: "outlined" } },
    MuiPaper: { defaultProps: { variant: "outlined" } },
    MuiTextField: { defaultProps: { size: "small" } },
    MuiSelect: { defaultProps: { size: "small" } },
  },
};

export const theme = createTheme(options);

/** The theme with MUI's and the data grid's own texts in `lang`. */
export function themeFor(lang: "en" | "fr") {
  return lang === "fr" ? createTheme(options, materialFr, gridFr) : createTheme(options, materialEn, gridEn);
}
