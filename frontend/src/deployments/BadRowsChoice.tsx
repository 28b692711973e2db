/** What a run does with rows that do not fit the model's inputs: reject the file, or score the good rows. */
import { FormControlLabel, Radio, RadioGroup, Typography } from "@mui/material";
import type { BadRows } from "../api/types";
import { useT } from "../i18n";

export function BadRowsChoice({ value, onChange, error }: { value: BadRows; onChange: (v: BadRows) => void; error?: string }) {
  const t = useT();
  return (
    <>
      <RadioGroup value={value} onChange={(e) => onChange(e.target.value as BadRows)} aria-label={t("deploy.badRows")}>
        <FormControlLabel value="reject" control={<Radio />} label={t("deploy.badRowsReject")} />
        <FormControlLabel value="skip" control={<Radio />} label={t("deploy.badRowsSkip")} />
      </RadioGroup>
      {error && (
        <Typography color="error" variant="body2" role="alert">
          {error}
        </Typography>
      )}
    </>
  );
}
