/** An administration list with its "New …" button above it, which opens the dialog that creates one. */
import { Box, Button } from "@mui/material";
import { useState, type ReactNode } from "react";

export function WithCreate({
  label,
  dialog,
  children,
}: {
  label: string;
  /** The creation dialog; `close` closes it. */
  dialog: (close: () => void) => ReactNode;
  children: ReactNode;
}) {
  const [open, setOpen] = useState(false);
  return (
    <Box>
      <Button variant="contained" onClick={() => setOpen(true)} sx={{ mb: 2 }}>
        {label}
      </Button>
      {children}
      {open && dialog(() => setOpen(false))}
    </Box>
  );
}
