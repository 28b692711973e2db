/** The train wizard's steps: each shows the fields it holds and the API's error under its field. */
import {
  Accordion,
  AccordionDetails,
  AccordionSummary,
  Alert,
  Box,
  Checkbox,
  Chip,
  FormControl,
  FormControlLabel,
  FormGroup,
  FormHelperText,
  FormLabel,
  Grid,
  Link,
  Radio,
  RadioGroup,
  Slider,
  Typography,
} from "@mui/material";
import ExpandMoreIcon from "@mui/icons-material/ExpandMore";
import { useId } from "react";
import { Link as RouterLink } from "react-router";
import type { Dataset, DatasetSummaryPage } from "../api/types";
import { Facts } from "../components/Facts";
import { datasetPath } from "../datasets/links";
import { FormField, type FieldError } from "../components/FormField";
import { QueryState, type QueryLike } from "../components/States";
import { useI18n, type MessageKey } from "../i18n";
import { CANDIDATES, likelyTask, metricsFor, TASKS, usualMetric } from "./metrics";
import { useLabels } from "./labels";
import { BUDGETS, STEP_FIELDS, targetChoices, timeColumnChoices, type WizardForm } from "./wizard";

/** A select whose empty value is a choice of its own ("detect it", "none", "latest"): shown, not blank. */
export const EMPTY_IS_A_CHOICE = { select: { displayEmpty: true }, inputLabel: { shrink: true } } as const;

interface StepProps {
  form: WizardForm;
  onChange: (next: Partial<WizardForm>) => void;
  errors: FieldError;
}

export function DatasetStep({ form, onChange, datasets, errors }: StepProps & { datasets: QueryLike<DatasetSummaryPage> }) {
  const { t, tn, when } = useI18n();
  return (
    <QueryState query={datasets}>
      {(page) => {
        const chosen = page.items.find((d) => d.name === form.dataset);
        const names = page.items.map((d) => d.name);
        if (form.dataset && !names.includes(form.dataset)) names.unshift(form.dataset);
        const latest = chosen?.latest_version ?? form.version ?? 1;
        const versions = Array.from({ length: latest }, (_, i) => latest - i);
        if (page.items.length === 0 && !form.dataset) {
          return (
            <Alert severity="info">
              {t("trainings.wizard.noDataset")}{" "}
              <Link component={RouterLink} to="/datasets">
                {t("trainings.wizard.toDatasets")}
              </Link>
            </Alert>
          );
        }
        return (
          <Grid container spacing={2}>
            <FormField
              cell={{ xs: 12, sm: 8 }}
              label={t("trainings.dataset")}
              field="dataset"
              errors={errors}
              value={form.dataset}
              onChange={(e) => onChange({ dataset: e.target.value, version: null, target: "", timeColumn: "" })}
              options={names}
              help={chosen ? `${chosen.filename} · ${tn("trainings.columnCount", chosen.columns)} · ${chosen.rows === null ? "–" : tn("trainings.rowCount", chosen.rows)} · ${when(chosen.updated_at)}` : undefined}
            />
            <FormField
              cell={{ xs: 12, sm: 4 }}
              label={t("trainings.version")}
              field="version"
              errors={errors}
              value={form.version === null ? "" : String(form.version)}
              onChange={(e) => onChange({ version: e.target.value ? Number(e.target.value) : null, target: "", timeColumn: "" })}
              options={[
                { value: "", label: t("trainings.latestVersion", { n: latest }) },
                ...versions.map((v) => ({ value: String(v), label: t("common.versionN", { n: v }) })),
              ]}
              disabled={!form.dataset}
              slotProps={EMPTY_IS_A_CHOICE}
            />
          </Grid>
        );
      }}
    </QueryState>
  );
}

/** The version's facts the target step needs: no profile yet is said, with the way to get one. */
function NoProfile({ dataset }: { dataset: Dataset }) {
  const { t } = useI18n();
  if (dataset.profile) return null;
  return (
    <Alert severity="info" sx={{ mb: 2 }}>
      {t("trainings.wizard.noProfile")}{" "}
      <Link component={RouterLink} to={datasetPath(dataset.name, dataset.version)}>
        {t("trainings.wizard.toProfile")}
      </Link>
    </Alert>
  );
}

export function TargetStep({ form, onChange, version, errors }: StepProps & { version: QueryLike<Dataset> }) {
  const { t, locale } = useI18n();
  const labelId = useId();
  const error = errors("target");
  const percent = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 });
  return (
    <QueryState query={version}>
      {(dataset) => (
        <>
          <NoProfile dataset={dataset} />
          <FormControl error={!!error} fullWidth>
            <FormLabel id={labelId}>{t("trainings.target")}</FormLabel>
            <FormHelperText sx={{ mx: 0 }}>{error ?? t("trainings.targetHelp")}</FormHelperText>
            <Box sx={{ maxHeight: 420, overflowY: "auto", mt: 1 }}>
              <RadioGroup aria-labelledby={labelId} value={form.target} onChange={(e) => onChange({ target: e.target.value, timeColumn: "" })}>
                {targetChoices(dataset).map((c) => (
                  <FormControlLabel
                    key={c.name}
                    value={c.name}
                    control={<Radio size="small" />}
                    label={
                      <Box sx={{ display: "flex", alignItems: "center", gap: 1, flexWrap: "wrap" }}>
                        <span>{c.name}</span>
                        {c.suggested && <Chip size="small" color="primary" variant="outlined" label={t("trainings.suggested")} />}
                        {c.profile && (
                          <Typography variant="body2" color="text.secondary" component="span">
                            {t(`datasets.kind.${c.profile.kind}` as MessageKey)} · {t("trainings.distinct", { n: c.profile.distinct })} ·{" "}
                            {t("trainings.missing", { share: percent.format(c.profile.missing_share) })}
                          </Typography>
                        )}
                      </Box>
                    }
                  />
                ))}
              </RadioGroup>
            </Box>
          </FormControl>
        </>
      )}
    </QueryState>
  );
}

export function TaskStep({ form, onChange, version, errors }: StepProps & { version: QueryLike<Dataset> }) {
  const { t } = useI18n();
  const { task: taskLabel, metric: metricLabel } = useLabels();
  const column = version.data?.profile?.columns.find((c) => c.name === form.target);
  const guess = likelyTask(column);
  const effective = form.task || guess;
  const usual = effective ? usualMetric(effective, column) : null;
  return (
    <Grid container spacing={2}>
      <FormField
        cell={{ xs: 12, sm: 6 }}
        label={t("trainings.task")}
        field="task"
        errors={errors}
        value={form.task}
        onChange={(e) => {
          const task = TASKS.find((x) => x === e.target.value) ?? "";
          const keep = form.metric && metricsFor(task || guess).includes(form.metric);
          onChange({ task, metric: keep ? form.metric : "" });
        }}
        options={[
          { value: "", label: guess ? t("trainings.autoTaskGuess", { task: taskLabel(guess) }) : t("trainings.autoTask") },
          ...TASKS.map((x) => ({ value: x, label: taskLabel(x) })),
        ]}
        help={t("trainings.taskHelp")}
        slotProps={EMPTY_IS_A_CHOICE}
      />
      <FormField
        cell={{ xs: 12, sm: 6 }}
        label={t("trainings.metric")}
        field="metric"
        errors={errors}
        value={form.metric}
        onChange={(e) => onChange({ metric: metricsFor(effective).find((m) => m === e.target.value) ?? "" })}
        options={[
          { value: "", label: usual ? t("trainings.autoMetricUsual", { metric: metricLabel(usual) }) : t("trainings.autoMetric") },
          ...metricsFor(effective).map((m) => ({ value: m, label: metricLabel(m) })),
        ]}
        help={t("trainings.metricHelp")}
        slotProps={EMPTY_IS_A_CHOICE}
      />
    </Grid>
  );
}

const ADVANCED = STEP_FIELDS.budget.filter((f) => f !== "budget_s");

export function BudgetStep({ form, onChange, version, errors }: StepProps & { version: QueryLike<Dataset> }) {
  const { t, locale } = useI18n();
  const { candidate, seconds } = useLabels();
  const labelId = useId();
  const index = Math.max(0, BUDGETS.findIndex((b) => b >= form.budgetS));
  const budgetError = errors("budget_s");
  const advancedError = ADVANCED.some((f) => errors(f));
  const times = version.data ? timeColumnChoices(version.data, form.target) : [];
  const number = (value: string, fallback: number) => (value.trim() === "" || Number.isNaN(Number(value)) ? fallback : Number(value));
  const candidatesError = errors("candidates");
  return (
    <>
      <Typography id={labelId} gutterBottom>
        {t("trainings.budget")}: <strong data-testid="budget-value">{seconds(form.budgetS)}</strong>
      </Typography>
      <Box sx={{ px: 2 }}>
        <Slider
          aria-labelledby={labelId}
          value={index}
          min={0}
          max={BUDGETS.length - 1}
          step={1}
          marks={BUDGETS.map((b, i) => ({ value: i, label: [10, 60, 300, 1800].includes(b) ? seconds(b) : undefined }))}
          valueLabelDisplay="auto"
          valueLabelFormat={(i) => seconds(BUDGETS[i])}
          getAriaValueText={(i) => seconds(BUDGETS[i])}
          onChange={(_e, i) => onChange({ budgetS: BUDGETS[i as number] })}
        />
      </Box>
      <Typography variant="body2" color={budgetError ? "error" : "text.secondary"} sx={{ mb: 2 }}>
        {budgetError ?? t("trainings.budgetHelp")}
      </Typography>
      <Accordion defaultExpanded={advancedError} disableGutters variant="outlined">
        <AccordionSummary expandIcon={<ExpandMoreIcon />}>{t("trainings.advanced")}</AccordionSummary>
        <AccordionDetails>
          <Grid container spacing={2}>
            <FormField
              cell={{ xs: 12, sm: 4 }}
              type="number"
              label={t("trainings.folds")}
              field="folds"
              errors={errors}
              value={form.folds}
              onChange={(e) => onChange({ folds: number(e.target.value, form.folds) })}
              slotProps={{ htmlInput: { min: 2, max: 10, step: 1 } }}
              help={t("trainings.foldsHelp")}
            />
            <FormField
              cell={{ xs: 12, sm: 4 }}
              type="number"
              label={t("trainings.holdout")}
              field="holdout"
              errors={errors}
              value={form.holdout}
              onChange={(e) => onChange({ holdout: number(e.target.value, form.holdout) })}
              slotProps={{ htmlInput: { min: 0.05, max: 0.45, step: 0.05 } }}
              help={t("trainings.holdoutHelp", { share: new Intl.NumberFormat(locale, { style: "percent" }).format(form.holdout) })}
            />
            <FormField
              cell={{ xs: 12, sm: 4 }}
              type="number"
              label={t("trainings.seed")}
              field="seed"
              errors={errors}
              value={form.seed}
              onChange={(e) => onChange({ seed: Math.max(0, Math.floor(number(e.target.value, form.seed))) })}
              slotProps={{ htmlInput: { min: 0, step: 1 } }}
              help={t("trainings.seedHelp")}
            />
            <FormField
              cell={{ xs: 12, sm: 6 }}
              label={t("trainings.timeColumn")}
              field="time_column"
              errors={errors}
              value={form.timeColumn}
              onChange={(e) => onChange({ timeColumn: e.target.value })}
              options={[{ value: "", label: t("common.none") }, ...times.map((c) => ({ value: c, label: c }))]}
              help={t("trainings.timeColumnHelp")}
              slotProps={EMPTY_IS_A_CHOICE}
            />
            <Grid size={12}>
              <FormControl error={!!candidatesError} component="fieldset">
                <FormLabel component="legend">{t("trainings.candidates")}</FormLabel>
                <FormGroup row>
                  {CANDIDATES.map((c) => (
                    <FormControlLabel
                      key={c}
                      control={
                        <Checkbox
                          size="small"
                          checked={form.candidates.includes(c)}
                          onChange={(e) =>
                            onChange({ candidates: e.target.checked ? [...form.candidates, c] : form.candidates.filter((x) => x !== c) })
                          }
                        />
                      }
                      label={candidate(c)}
                    />
                  ))}
                </FormGroup>
                <FormHelperText>{candidatesError ?? (form.candidates.length === 0 ? t("trainings.candidatesNone") : t("trainings.candidatesHelp"))}</FormHelperText>
              </FormControl>
            </Grid>
          </Grid>
        </AccordionDetails>
      </Accordion>
    </>
  );
}

export function ReviewStep({ form, version }: { form: WizardForm; version: Dataset | undefined }) {
  const { t, tn } = useI18n();
  const { task, metric, candidate, seconds } = useLabels();
  const all = CANDIDATES.every((c) => form.candidates.includes(c));
  const steps = version?.steps?.length ?? 0;
  return (
    <Facts
      testId="train-review"
      items={[
        [t("trainings.dataset"), `${form.dataset} ${t("common.versionN", { n: form.version ?? version?.version ?? "?" })}`],
        [t("trainings.target"), form.target],
        [t("trainings.task"), form.task ? task(form.task) : t("trainings.autoTask")],
        [t("trainings.metric"), form.metric ? metric(form.metric) : t("trainings.autoMetric")],
        [t("trainings.budget"), seconds(form.budgetS)],
        [t("trainings.folds"), form.folds],
        [t("trainings.holdout"), form.holdout],
        [t("trainings.seed"), form.seed],
        [t("trainings.timeColumn"), form.timeColumn || t("common.none")],
        [t("trainings.candidates"), all ? t("trainings.allCandidates") : form.candidates.map(candidate).join(", ")],
        [t("trainings.cleaning"), steps ? tn("trainings.stepCount", steps) : t("trainings.noSteps")],
      ]}
    />
  );
}
