/** The upload's progress, then "checking the model" while the server loads it and tries a prediction. */
import { Box, LinearProgress, Typography } from "@mui/material";
import { useT } from "../../i18n";

export function UploadStatus({ progress }: { progress: number | null }) {
  const t = useT();
  if (progress === null) return null;
  const pct = Math.round(progress * 100);
  return (
    <Box sx={{ my: 2 }} role="status" aria-live="polite">
      <Typography variant="body2" sx={{ mb: 0.5 }}>
        {pct < 100 ? t("register.uploading", { pct }) : t("register.checking")}
      </Typography>
      <LinearProgress
        variant={pct < 100 ? "determinate" : "indeterminate"}
        value={pct}
        aria-label={t("register.uploading", { pct })}
      />
    </Box>
  );
}
