/**
 * "Register the best": the training's best pipeline becomes a new version of an existing model (picked
 * from the catalog) or of a new one (with its title, department and description), with aliases; then
 * the challenger report against the model's champion and a link to the model.
 */
import { Alert, Autocomplete, Button, Grid, Link, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography } from "@mui/material";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link as RouterLink } from "react-router";
import { getTraining, registerTraining, searchModels } from "../api/client";
import { fieldErrors } from "../api/errors";
import type { ChallengerReport, ModelVersion, Training, TrainingRegister, Visibility } from "../api/types";
import { FormDialog } from "../components/FormDialog";
import { FormField } from "../components/FormField";
import { useI18n } from "../i18n";
import { useDebounced } from "../lib/useDebounced";
import { slugify, splitList } from "../lib/text";
import { DEPARTMENTS, VISIBILITIES } from "../models/register/card";
import { useLabels } from "./labels";
import { bestIndexes, formatScore } from "./metrics";

const FIELDS = ["model", "title", "department", "description", "aliases", "markets", "tags", "visibility"] as const;

/** The model name a training suggests: its dataset and target, as a slug. */
export function suggestedModelName(training: Pick<Training, "dataset" | "target">): string {
  return slugify(`${training.dataset}-${training.target}`).slice(0, 100);
}

export function ChallengerTable({ report }: { report: ChallengerReport }) {
  const { t, locale } = useI18n();
  const { metric } = useLabels();
  const names = Object.keys(report.challenger).sort((a, b) => (a === report.metric ? -1 : b === report.metric ? 1 : a.localeCompare(b)));
  return (
    <>
      <Alert severity={report.better === null ? "info" : report.better ? "success" : "warning"} data-testid="challenger-verdict">
        {report.better === null
          ? t("trainings.challenger.noChampion")
          : report.better
            ? t("trainings.challenger.better", { version: report.champion_version ?? "?", metric: metric(report.metric) })
            : t("trainings.challenger.notBetter", { version: report.champion_version ?? "?", metric: metric(report.metric) })}
      </Alert>
      <Table size="small" data-testid="challenger-report" aria-label={t("trainings.challenger.title")}>
        <TableHead>
          <TableRow>
            <TableCell>{t("trainings.metric")}</TableCell>
            <TableCell align="right">{t("trainings.challenger.challenger")}</TableCell>
            <TableCell align="right">
              {report.champion_version ? t("trainings.challenger.championN", { n: report.champion_version }) : t("trainings.challenger.champion")}
            </TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {names.map((name) => {
            const values = [report.challenger[name], report.champion?.[name] ?? null];
            const best = report.champion ? bestIndexes(values, name) : [];
            return (
              <TableRow key={name}>
                <TableCell component="th" scope="row" sx={name === report.metric ? { fontWeight: 700 } : undefined}>
                  {metric(name)}
                </TableCell>
                {values.map((v, i) => (
                  <TableCell key={i} align="right" sx={best.includes(i) && best.length === 1 ? { fontWeight: 700, color: "success.main" } : undefined}>
                    {formatScore(v, locale)}
                  </TableCell>
                ))}
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </>
  );
}

function Registered({ version, training, onClose }: { version: ModelVersion; training: Training; onClose: () => void }) {
  const { t } = useI18n();
  return (
    <FormDialog title={t("trainings.register.done", { model: version.model, version: version.version })} onClose={onClose} width={560}>
      <Typography data-testid="registered-as">
        {t("trainings.register.doneText", { model: version.model, version: version.version })}{" "}
        <Link component={RouterLink} to={`/models/${encodeURIComponent(version.model)}`}>
          {t("trainings.register.openModel", { model: version.model })}
        </Link>
      </Typography>
      {training.challenger ? (
        <ChallengerTable report={training.challenger} />
      ) : (
        <Typography color="text.secondary">{t("trainings.challenger.none")}</Typography>
      )}
      <Typography variant="body2" color="text.secondary">
        {t("trainings.register.promoteNote")}
      </Typography>
    </FormDialog>
  );
}

export function RegisterDialog({ training, onClose }: { training: Training; onClose: () => void }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const [model, setModel] = useState(() => suggestedModelName(training));
  const [title, setTitle] = useState("");
  const [department, setDepartment] = useState("");
  const [description, setDescription] = useState("");
  const [aliases, setAliases] = useState("");
  const [visibility, setVisibility] = useState<Visibility>("company");
  const q = useDebounced(model.trim(), 250);
  const models = useQuery({
    queryKey: ["models", "search", { q, page_size: 20 }],
    queryFn: () => searchModels({ q: q || undefined, page_size: 20, facets: false }),
    placeholderData: keepPreviousData,
  });
  const existing = models.data?.items.find((m) => m.name === model.trim());
  const mutation = useMutation({
    mutationFn: async () => {
      const body: TrainingRegister = {
        model: model.trim(),
        description,
        aliases: splitList(aliases),
        // The card fields make a new model; an existing one keeps its own.
        visibility: existing ? existing.visibility : visibility,
        ...(existing ? {} : { title: title.trim() || null, department: department || null }),
      };
      const version = await registerTraining(training.id, body);
      // The challenger report is written on the training when it registers.
      const updated = await getTraining(training.id);
      return { version, updated };
    },
    onSuccess: ({ updated }) => {
      client.setQueryData(["trainings", training.id], updated);
      void client.invalidateQueries({ queryKey: ["trainings"] });
      void client.invalidateQueries({ queryKey: ["models"] });
    },
  });
  const errors = fieldErrors(mutation.error, FIELDS, t);
  if (mutation.data) return <Registered version={mutation.data.version} training={mutation.data.updated} onClose={onClose} />;
  const modelError = errors.of("model");
  return (
    <FormDialog
      title={t("trainings.register.title", { id: training.id })}
      onClose={onClose}
      action={mutation}
      submitLabel={t("trainings.register.submit")}
      canSubmit={!!model.trim() && (!!existing || (!!title.trim() && !!department))}
      error={errors.unplaced}
      width={600}
    >
      <Typography variant="body2" color="text.secondary">
        {t("trainings.register.intro")}
      </Typography>
      <Autocomplete
        freeSolo
        options={(models.data?.items ?? []).map((m) => m.name)}
        inputValue={model}
        onInputChange={(_e, value) => setModel(value)}
        filterOptions={(options) => options}
        renderInput={(params) => (
          <TextField
            {...params}
            label={t("trainings.register.model")}
            error={!!modelError}
            helperText={
              modelError ??
              (existing
                ? t("trainings.register.existing", { title: existing.title, version: existing.latest_version + 1 })
                : model.trim()
                  ? t("trainings.register.new")
                  : t("trainings.register.modelHelp"))
            }
          />
        )}
      />
      {!existing && (
        <Grid container spacing={2}>
          <FormField cell={12} label={t("trainings.register.modelTitle")} field="title" errors={errors.of} value={title} onChange={(e) => setTitle(e.target.value)} required />
          <FormField
            cell={{ xs: 12, sm: 6 }}
            label={t("common.department")}
            field="department"
            errors={errors.of}
            value={department}
            onChange={(e) => setDepartment(e.target.value)}
            options={DEPARTMENTS}
            required
          />
          <FormField
            cell={{ xs: 12, sm: 6 }}
            label={t("field.visibility")}
            field="visibility"
            errors={errors.of}
            value={visibility}
            onChange={(e) => setVisibility(VISIBILITIES.find((v) => v === e.target.value) ?? "company")}
            options={VISIBILITIES.map((v) => ({ value: v, label: t(`visibility.${v}` as const) }))}
          />
        </Grid>
      )}
      <FormField
        label={t("trainings.register.description")}
        field="description"
        errors={errors.of}
        value={description}
        onChange={(e) => setDescription(e.target.value)}
        multiline
        minRows={2}
      />
      <FormField
        label={t("trainings.register.aliases")}
        field="aliases"
        errors={errors.of}
        value={aliases}
        onChange={(e) => setAliases(e.target.value)}
        help={t("trainings.register.aliasesHelp")}
      />
    </FormDialog>
  );
}

/** The button that opens the dialog (the page offers it to data scientists on a succeeded training). */
export function RegisterButton({ training }: { training: Training }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant="contained" onClick={() => setOpen(true)}>
        {t("trainings.register.open")}
      </Button>
      {open && <RegisterDialog training={training} onClose={() => setOpen(false)} />}
    </>
  );
}
