import { MenuItem, TextField } from "@mui/material";
import { useI18n, type Lang } from "../i18n";

export function LanguageSwitch({ dark = false }: { dark?: boolean }) {
  const { lang, setLang, t } = useI18n();
  return (
    <TextField
      select
      size="small"
      label={t("nav.language")}
      value={lang}
      onChange={(e) => setLang(e.target.value as Lang)}
      sx={
        dark
          ? {
              minWidth: 120,
              "& .MuiInputBase-root": { color: "common.white" },
              "& .MuiInputLabel-root": { color: "rgba(255,255,255,0.85)" },
              "& .MuiOutlinedInput-notchedOutline": { borderColor: "rgba(255,255,255,0.6)" },
              "& .MuiSvgIcon-root": { color: "common.white" },
            }
          : { minWidth: 120 }
      }
    >
      <MenuItem value="en" lang="en">
        English
      </MenuItem>
      <MenuItem value="fr" lang="fr">
        Français
      </MenuItem>
    </TextField>
  );
}
