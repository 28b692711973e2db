/**
 * A stored input, uploaded once from a form: the file goes to `/datasets` as soon as it is chosen,
 * and the form keeps the stored dataset (its sha256) for the deployment to read at each run.
 */
import { Alert, Box, LinearProgress, Typography } from "@mui/material";
import { useMutation } from "@tanstack/react-query";
import { uploadDataset } from "../api/client";
import { describeError } from "../api/errors";
import type { Dataset } from "../api/types";
import { FileDrop } from "../components/FileDrop";
import { useI18n } from "../i18n";

export const INPUT_FILES = ".csv,.txt,.xlsx,.parquet,text/csv";

export function DatasetUpload({
  dataset,
  onDataset,
  error,
  testId = "dataset-file",
}: {
  dataset: Dataset | null;
  onDataset: (dataset: Dataset | null) => void;
  /** The API's sentence about the dataset (e.g. from the deploy request), shown under the drop zone. */
  error?: string;
  testId?: string;
}) {
  const { t, tn } = useI18n();
  const upload = useMutation({
    mutationFn: (file: File) => uploadDataset(file),
    onSuccess: (d) => onDataset(d),
  });
  const chosen = upload.variables ?? null;
  return (
    <Box sx={{ mt: 1 }}>
      <FileDrop
        label={t("deploy.datasetFile")}
        prompt={t("run.fileDrop")}
        browse={t("register.browse")}
        help={t("deploy.datasetHelp")}
        accept={INPUT_FILES}
        file={chosen}
        onFile={(f) => {
          onDataset(null);
          if (f) upload.mutate(f);
          else upload.reset();
        }}
        error={upload.isError ? describeError(upload.error, t) : error}
        testId={testId}
      />
      {upload.isPending && <LinearProgress sx={{ mt: 1 }} aria-label={t("deploy.datasetUploading")} />}
      {dataset && (
        <Alert severity="success" sx={{ mt: 1 }} data-testid={`${testId}-stored`}>
          {tn("deploy.datasetStored", dataset.columns.length, { name: dataset.filename })}
          <Typography variant="body2" sx={{ mt: 0.5, wordBreak: "break-word" }}>
            {dataset.columns.join(", ")}
          </Typography>
        </Alert>
      )}
    </Box>
  );
}
