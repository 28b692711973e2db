import { Typography } from "@mui/material";
import { useT } from "../i18n";

/** Placeholder until the page is built. */
export function DatasetsPage() {
  const t = useT();
  return <Typography variant="h4" component="h1">{t("datasets.title")}</Typography>;
}
