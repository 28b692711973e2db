/** Labelled values as a description list (`dl`): a model's card facts, a run's summary. */
import { Box, Typography } from "@mui/material";
import type { ReactNode } from "react";

export function Facts({
  items,
  perRow = 1,
  testId,
}: {
  items: [label: string, value: ReactNode][];
  /** Pairs of label and value on one line. */
  perRow?: number;
  testId?: string;
}) {
  const columns = perRow === 1 ? "140px 1fr" : `repeat(${perRow}, auto 1fr)`;
  return (
    <Box component="dl" data-testid={testId} sx={{ display: "grid", gridTemplateColumns: columns, gap: 1, m: 0, alignItems: "baseline" }}>
      {items.map(([label, value]) => (
        <Box key={label} sx={{ display: "contents" }}>
          <Typography variant="body2" color="text.secondary" component="dt">
            {label}
          </Typography>
          <Typography variant="body2" component="dd" sx={{ m: 0, wordBreak: "break-word" }}>
            {value}
          </Typography>
        </Box>
      ))}
    </Box>
  );
}
