/** The files of a version: the model file and an optional sample of its input data. */
import { Stack } from "@mui/material";
import { FileDrop } from "../../components/FileDrop";
import type { FieldError } from "../../components/FormField";
import { Section } from "../../components/Section";
import { useT } from "../../i18n";
import type { VersionUpload } from "./useVersionUpload";

export function FilesStep({ upload, errors }: { upload: VersionUpload; errors: FieldError }) {
  const t = useT();
  return (
    <Section title={t("register.files")}>
      <Stack spacing={2}>
        <FileDrop
          label={t("register.file")}
          prompt={t("register.drop")}
          browse={t("register.browse")}
          help={t("register.fileHelp")}
          file={upload.file}
          onFile={upload.setFile}
          error={errors("file")}
          testId="model-file"
        />
        <FileDrop
          label={t("register.sample")}
          prompt={t("register.dropSample")}
          browse={t("register.browse")}
          help={t("register.sampleHelp")}
          accept=".csv,text/csv"
          file={upload.sample}
          onFile={upload.setSample}
          error={errors("sample")}
          testId="sample-file"
        />
      </Stack>
    </Section>
  );
}
