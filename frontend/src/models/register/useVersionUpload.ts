/**
 * The state of a version upload shared by "register a model" and "new version": the files, the
 * version's fields, the upload's progress, and the upload itself.
 */
import { useState } from "react";
import { ApiError, uploadVersion } from "../../api/client";
import type { ModelVersion } from "../../api/types";
import { useT } from "../../i18n";
import { versionMeta, type VersionFields } from "./versionMeta";

export function useVersionUpload(initial: VersionFields) {
  const t = useT();
  const [fields, setFields] = useState(initial);
  const [file, setFile] = useState<File | null>(null);
  const [sample, setSample] = useState<File | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [fileMissing, setFileMissing] = useState(false);

  /** True when a model file is chosen; else false, and the file field says to choose one. */
  const ready = (): boolean => {
    setFileMissing(!file);
    return file !== null;
  };

  /** Upload the chosen file as a new version of model `name`, with progress while it goes up. */
  const upload = async (name: string): Promise<ModelVersion> => {
    const meta = versionMeta(fields);
    if (meta === null) throw new ApiError(422, "invalid_argument", t("register.metricsInvalid"), "meta.metrics");
    if (!file) throw new ApiError(422, "invalid_argument", t("register.needFile"), "file");
    setProgress(0);
    try {
      return await uploadVersion(name, file, { sample, meta, onProgress: setProgress });
    } finally {
      setProgress(null);
    }
  };

  /** The message for the file field when no file was chosen, else undefined. */
  const missingFile = (field: string): string | undefined =>
    field === "file" && fileMissing ? t("register.needFile") : undefined;

  return { fields, setFields, file, setFile, sample, setSample, progress, ready, upload, missingFile };
}

export type VersionUpload = ReturnType<typeof useVersionUpload>;
