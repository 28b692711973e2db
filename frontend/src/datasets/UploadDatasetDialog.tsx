/**
 * Upload a file as a dataset: the file (dropped or chosen), a name and a description. With `name`
 * fixed, the file becomes a new version of that dataset. The parse report waits on the dataset page.
 */
import { LinearProgress, TextField } from "@mui/material";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { uploadNamedDataset } from "../api/client";
import { fieldErrors } from "../api/errors";
import type { Dataset } from "../api/types";
import { FileDrop } from "../components/FileDrop";
import { FormDialog } from "../components/FormDialog";
import { FormField } from "../components/FormField";
import { INPUT_FILES } from "../deployments/DatasetUpload";
import { useT } from "../i18n";
import { slugify } from "../lib/text";

/** The name the API would give a file's dataset: its name without the extension, slugged. */
export function nameFromFile(filename: string): string {
  return slugify(filename.replace(/\.[^.]+$/, ""));
}

export function UploadDatasetDialog({
  name: fixedName,
  onClose,
  onUploaded,
}: {
  /** The dataset to add a version to; without it, a new dataset. */
  name?: string;
  onClose: () => void;
  onUploaded: (dataset: Dataset) => void;
}) {
  const t = useT();
  const client = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState(fixedName ?? "");
  const [nameTouched, setNameTouched] = useState(false);
  const [description, setDescription] = useState("");
  const upload = useMutation({
    mutationFn: () => uploadNamedDataset(file as File, { name: name.trim() || undefined, description: description.trim() || undefined }),
    onSuccess: (d) => {
      void client.invalidateQueries({ queryKey: ["datasets"] });
      onUploaded(d);
    },
  });
  const errors = fieldErrors(upload.error, ["file", "name", "description"], t);
  const chooseFile = (f: File | null) => {
    setFile(f);
    upload.reset();
    // Until the user types a name, the name follows the file's.
    if (f && !fixedName && !nameTouched) setName(nameFromFile(f.name));
  };
  return (
    <FormDialog
      title={fixedName ? t("datasets.upload.newVersionTitle", { name: fixedName }) : t("datasets.upload.title")}
      onClose={onClose}
      action={upload}
      error={errors.unplaced}
      submitLabel={t("datasets.upload.submit")}
      canSubmit={!!file && !!name.trim()}
      width={520}
    >
      <FileDrop
        label={t("datasets.upload.file")}
        prompt={t("run.fileDrop")}
        browse={t("register.browse")}
        help={t("datasets.upload.fileHelp")}
        accept={INPUT_FILES}
        file={file}
        onFile={chooseFile}
        error={errors.of("file")}
        testId="dataset-upload-file"
      />
      {fixedName ? (
        <TextField label={t("common.name")} value={fixedName} disabled fullWidth />
      ) : (
        <FormField
          label={t("common.name")}
          value={name}
          onChange={(e) => {
            setNameTouched(true);
            setName(e.target.value);
          }}
          field="name"
          errors={errors.of}
          help={t("datasets.upload.nameHelp")}
          required
        />
      )}
      <FormField
        label={t("datasets.description")}
        value={description}
        onChange={(e) => setDescription(e.target.value)}
        field="description"
        errors={errors.of}
        multiline
        minRows={2}
      />
      {upload.isPending && <LinearProgress aria-label={t("datasets.upload.sending")} />}
    </FormDialog>
  );
}
