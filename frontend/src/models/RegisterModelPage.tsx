/**
 * Register a model: its card, then its first version's files and facts, sent in that order (the card
 * is saved first; if the file is refused, the saved card stays and only the version is sent again).
 * The file goes up through XMLHttpRequest to show progress; the API's errors land next to their field.
 */
import { Alert, Grid } from "@mui/material";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate } from "react-router";
import { createModel } from "../api/client";
import { fieldErrors } from "../api/errors";
import { RequireRole } from "../components/Forbidden";
import { FormPage } from "../components/FormPage";
import { useT } from "../i18n";
import { CARD_FIELDS, CardStep, EMPTY_CARD, modelCreate } from "./register/CardStep";
import { FilesStep } from "./register/FilesStep";
import { UploadStatus } from "./register/UploadStatus";
import { useVersionUpload } from "./register/useVersionUpload";
import { EMPTY_VERSION, VERSION_FIELDS } from "./register/versionMeta";
import { VersionStep } from "./register/VersionStep";

const FIELDS = [...CARD_FIELDS, ...VERSION_FIELDS];

export function RegisterModelPage() {
  return (
    <RequireRole role="data_scientist">
      <RegisterForm />
    </RequireRole>
  );
}

function RegisterForm() {
  const t = useT();
  const navigate = useNavigate();
  const client = useQueryClient();
  const [card, setCard] = useState(EMPTY_CARD);
  // The name of the model once its card is saved.
  const [created, setCreated] = useState<string | null>(null);
  const upload = useVersionUpload({ ...EMPTY_VERSION, aliases: "champion" });

  const mutation = useMutation({
    mutationFn: async () => {
      let name = created;
      if (!name) {
        name = (await createModel(modelCreate(card))).name;
        setCreated(name);
      }
      return upload.upload(name);
    },
    onSuccess: (v) => {
      void client.invalidateQueries({ queryKey: ["models"] });
      void navigate(`/models/${v.model}`, { state: { flash: t("register.done", { name: v.model, n: v.version }) } });
    },
  });
  const errors = fieldErrors(mutation.error, FIELDS, t);
  const fieldError = (f: string) => upload.missingFile(f) ?? errors.of(f);

  return (
    <FormPage
      title={t("register.title")}
      onSubmit={() => upload.ready() && mutation.mutate()}
      error={errors.unplaced}
      submitLabel={t("register.submit")}
      canSubmit={!mutation.isPending}
      notice={
        created &&
        mutation.error && (
          <Alert severity="warning" sx={{ mb: 2 }}>
            {t("register.modelCreatedNoVersion", { name: created })}
          </Alert>
        )
      }
    >
      <Grid container spacing={2}>
        <Grid size={{ xs: 12, lg: 7 }}>
          <CardStep card={card} onChange={setCard} errors={fieldError} locked={!!created} />
        </Grid>
        <Grid size={{ xs: 12, lg: 5 }}>
          <FilesStep upload={upload} errors={fieldError} />
          <VersionStep upload={upload} errors={fieldError} />
        </Grid>
      </Grid>
      <UploadStatus progress={upload.progress} />
    </FormPage>
  );
}
