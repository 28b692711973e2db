import { Button, Typography } from "@mui/material";
import { Link as RouterLink } from "react-router";
import { useT } from "../i18n";
import { EmptyState } from "./States";

export function NotFoundPage() {
  const t = useT();
  return (
    <>
      <Typography variant="h1">{t("common.notFound")}</Typography>
      <EmptyState
        action={
          <Button component={RouterLink} to="/" variant="contained">
            {t("common.goHome")}
          </Button>
        }
      >
        {" "}
      </EmptyState>
    </>
  );
}
