/**
 * A day typed in the language's order (dd/mm/yyyy) and confirmed in the app's one date format, so that
 * a filter reads like every date the app writes (a browser's date input follows the browser's
 * language instead). `value` and `onChange` carry "YYYY-MM-DD" ("" for none).
 */
import { Grid, TextField, type GridSize } from "@mui/material";
import { useState } from "react";
import { dayPattern, formatDay, parseDay } from "../lib/dates";
import { useI18n } from "../i18n";

export function DateField({
  label,
  value,
  onChange,
  cell,
}: {
  label: string;
  value: string;
  onChange: (day: string) => void;
  cell?: GridSize;
}) {
  const { t, lang, locale } = useI18n();
  const [text, setText] = useState(() => (value ? value.split("-").reverse().join("/") : ""));
  const typed = text.trim();
  const day = typed ? parseDay(typed) : "";
  const invalid = day === null;
  const field = (
    <TextField
      fullWidth
      label={label}
      value={text}
      placeholder={dayPattern(lang)}
      onChange={(e) => {
        setText(e.target.value);
        const next = e.target.value.trim() ? parseDay(e.target.value) : "";
        if (next !== null && next !== value) onChange(next);
      }}
      error={invalid}
      helperText={invalid ? t("date.invalid", { pattern: dayPattern(lang) }) : day ? formatDay(day, locale) : " "}
      slotProps={{ inputLabel: { shrink: true }, htmlInput: { inputMode: "numeric" } }}
    />
  );
  return cell === undefined ? field : <Grid size={cell}>{field}</Grid>;
}
