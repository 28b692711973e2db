/** Upload a new version of a model: its files, then what is known of it. */
import { Grid } from "@mui/material";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router";
import { fieldErrors } from "../api/errors";
import type { Model } from "../api/types";
import { FormPage } from "../components/FormPage";
import { useT } from "../i18n";
import { ModelRoute } from "./ModelRoute";
import { FilesStep } from "./register/FilesStep";
import { UploadStatus } from "./register/UploadStatus";
import { useVersionUpload } from "./register/useVersionUpload";
import { EMPTY_VERSION, VERSION_FIELDS } from "./register/versionMeta";
import { VersionStep } from "./register/VersionStep";

export function NewVersionPage() {
  return <ModelRoute role="data_scientist">{(model) => <NewVersionForm model={model} />}</ModelRoute>;
}

function NewVersionForm({ model }: { model: Model }) {
  const t = useT();
  const navigate = useNavigate();
  const client = useQueryClient();
  const name = model.name;
  const upload = useVersionUpload(EMPTY_VERSION);
  const mutation = useMutation({
    mutationFn: () => upload.upload(name),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["model", name] });
      void client.invalidateQueries({ queryKey: ["versions", name] });
      void client.invalidateQueries({ queryKey: ["models"] });
      void navigate(`/models/${name}`);
    },
  });
  const errors = fieldErrors(mutation.error, VERSION_FIELDS, t);
  const fieldError = (f: string) => upload.missingFile(f) ?? errors.of(f);
  return (
    <FormPage
      title={t("register.newVersionTitle", { name: model.title })}
      onSubmit={() => upload.ready() && mutation.mutate()}
      error={errors.unplaced}
      submitLabel={t("register.uploadVersion")}
      canSubmit={!mutation.isPending}
    >
      <Grid container spacing={2}>
        <Grid size={{ xs: 12, md: 5 }}>
          <FilesStep upload={upload} errors={fieldError} />
        </Grid>
        <Grid size={{ xs: 12, md: 7 }}>
          <VersionStep upload={upload} errors={fieldError} />
        </Grid>
      </Grid>
      <UploadStatus progress={upload.progress} />
    </FormPage>
  );
}
