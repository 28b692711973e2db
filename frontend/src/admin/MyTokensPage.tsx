/** "My API tokens" (every user, from the user menu): the tokens programs use to act as you. */
import { Typography } from "@mui/material";
import { useT } from "../i18n";
import { TokensTab } from "./TokensTab";

export function MyTokensPage() {
  const t = useT();
  return (
    <>
      <Typography variant="h1" sx={{ mb: 1 }}>
        {t("tokens.title")}
      </Typography>
      <Typography color="text.secondary" sx={{ mb: 2, maxWidth: 760 }}>
        {t("tokens.help")}
      </Typography>
      <TokensTab allUsers={false} />
    </>
  );
}
