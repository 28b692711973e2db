/** A drop zone with a real file input behind it (keyboard and screen readers use the button). */
import UploadFileIcon from "@mui/icons-material/UploadFile";
import { Box, Button, FormHelperText, Typography } from "@mui/material";
import { useId, useRef, useState, type DragEvent } from "react";
import { formatBytes } from "../lib/filePreview";

export function FileDrop({
  label,
  prompt,
  browse,
  help,
  accept,
  file,
  onFile,
  error,
  testId,
}: {
  label: string;
  prompt: string;
  browse: string;
  help?: string;
  accept?: string;
  file: File | null;
  onFile: (file: File | null) => void;
  error?: string | null;
  testId?: string;
}) {
  const input = useRef<HTMLInputElement>(null);
  const id = useId();
  const [over, setOver] = useState(false);
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    const dropped = e.dataTransfer.files?.[0];
    if (dropped) onFile(dropped);
  };
  return (
    <Box>
      <Typography component="label" htmlFor={id} sx={{ fontWeight: 600, display: "block", mb: 0.5 }}>
        {label}
      </Typography>
      <Box
        data-testid={testId}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
        sx={{
          border: 2,
          borderStyle: "dashed",
          borderColor: error ? "error.main" : over ? "primary.main" : "divider",
          bgcolor: over ? "action.hover" : "background.paper",
          borderRadius: 2,
          p: 3,
          textAlign: "center",
        }}
      >
        <UploadFileIcon color="action" aria-hidden />
        <Typography>
          {prompt}{" "}
          <Button size="small" variant="outlined" onClick={() => input.current?.click()}>
            {browse}
          </Button>
        </Typography>
        <input
          id={id}
          ref={input}
          type="file"
          accept={accept}
          hidden
          onChange={(e) => onFile(e.target.files?.[0] ?? null)}
        />
        {file && (
          <Typography sx={{ mt: 1, fontWeight: 600 }} data-testid={testId ? `${testId}-name` : undefined}>
            {file.name} ({formatBytes(file.size)})
          </Typography>
        )}
      </Box>
      {error ? (
        <FormHelperText error role="alert">
          {error}
        </FormHelperText>
      ) : (
        help && <FormHelperText>{help}</FormHelperText>
      )}
    </Box>
  );
}
