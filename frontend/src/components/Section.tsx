/** A titled card: the one panel layout of every page (a heading, an optional action on its right). */
import { Card, CardContent, Stack, Typography } from "@mui/material";
import type { ReactNode } from "react";

export function Section({
  title,
  action,
  fill = false,
  children,
}: {
  title: ReactNode;
  action?: ReactNode;
  /** Fill the height of its grid cell (cards side by side), instead of stacking with a gap below. */
  fill?: boolean;
  children: ReactNode;
}) {
  return (
    <Card sx={fill ? { height: "100%" } : { mb: 2 }}>
      <CardContent>
        <Stack direction="row" sx={{ justifyContent: "space-between", alignItems: "center", gap: 2, mb: 1.5 }}>
          <Typography variant="h2" component="h2">
            {title}
          </Typography>
          {action}
        </Stack>
        {children}
      </CardContent>
    </Card>
  );
}
