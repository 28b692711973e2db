/**
 * Deploy a model: version or alias, one market or several (one deployment each), the input (a file
 * with each run, a dataset stored once, or a SQL query), what to do with bad rows, the output, and a
 * schedule, offered only with a stored input and in the market's usual time zone by default.
 */
import { Alert, FormControlLabel, Grid, Radio, RadioGroup, Stack, Switch, Typography } from "@mui/material";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate } from "react-router";
import { ApiError, createDeployment, createDeployments, listConnections, listVersions } from "../api/client";
import { fieldErrors } from "../api/errors";
import type { Deployment, Model } from "../api/types";
import { FormField, type FieldError } from "../components/FormField";
import { FormPage } from "../components/FormPage";
import { Section } from "../components/Section";
import { useT, type Translate } from "../i18n";
import { ModelRoute } from "../models/ModelRoute";
import { versionChoices } from "../models/versions";
import { BadRowsChoice } from "./BadRowsChoice";
import { DatasetUpload } from "./DatasetUpload";
import { deploymentPath } from "./DeploymentLink";
import { deployRequest, initialFields, isStored, plannedNames, proposedName, scheduleZone, type DeployFields, type Engine, type InputKind, type OutputFormat } from "./deployForm";
import { MarketsField } from "./MarketsField";
import { knownMarketZone } from "./marketZones";
import { ScheduleFields } from "./ScheduleFields";

// The API's field names, most precise first (an error goes under the first one it names).
const FIELDS = [
  "name",
  "name_prefix",
  "version",
  "alias",
  "markets",
  "market",
  "description",
  "engine",
  "params",
  "schedule.timezone",
  "schedule",
  "cron",
  "timezone",
  "input.dataset",
  "input",
  "output",
  "on_bad_rows",
] as const;
const MONOSPACE = { htmlInput: { spellCheck: false, style: { fontFamily: "monospace" } } };

/** A connection by name, among those the server is configured with. */
function ConnectionField({ value, onChange, field, errors }: { value: string; onChange: (v: string) => void; field?: string; errors?: FieldError }) {
  const t = useT();
  const q = useQuery({ queryKey: ["connections"], queryFn: listConnections, staleTime: 60_000 });
  const names = q.data ?? [];
  return (
    <FormField
      label={t("deploy.connection")}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      field={field}
      errors={errors}
      help={q.isSuccess && names.length === 0 ? t("admin.noConnections") : undefined}
      options={[{ value: "", label: t("common.none") }, ...names.map((c) => ({ value: c.name, label: `${c.name} (${c.kind})` }))]}
    />
  );
}

export function DeployPage() {
  const t = useT();
  return (
    <ModelRoute role="data_scientist">
      {(m) => (m.version_count === 0 ? <Alert severity="info">{t("deploy.noVersion")}</Alert> : <DeployForm model={m} />)}
    </ModelRoute>
  );
}

/** The parameters typed as JSON: an object, or an error placed under the field. */
function parseParams(text: string, t: Translate): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text || "{}");
  } catch {
    parsed = null;
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new ApiError(422, "invalid_argument", t("deploy.paramsInvalid"), "params");
  }
  return parsed as Record<string, unknown>;
}

function DeployForm({ model: m }: { model: Model }) {
  const t = useT();
  const navigate = useNavigate();
  const client = useQueryClient();
  const versions = useQuery({ queryKey: ["versions", m.name], queryFn: () => listVersions(m.name) });
  const aliases = m.aliases ?? {};
  const hasAliases = Object.keys(aliases).length > 0;
  const [paramsText, setParamsText] = useState("{}");
  const [form, setForm] = useState<DeployFields>(() => initialFields(m));
  const set = <K extends keyof DeployFields>(k: K, v: DeployFields[K]) => setForm((f) => ({ ...f, [k]: v }));
  const many = form.markets.length > 1;
  const name = form.name ?? proposedName(m.name, form.markets);
  const names = plannedNames(form, m.name);
  const stored = isStored(form.inputKind);
  const zone = scheduleZone(form);
  const usualZone = knownMarketZone(form.markets[0]);

  const mutation = useMutation<Deployment[]>({
    mutationFn: async () => {
      const req = deployRequest({ ...form, params: parseParams(paramsText, t) }, m.name);
      return req.kind === "one" ? [await createDeployment(req.body)] : createDeployments(req.body);
    },
    onSuccess: (created) => {
      void client.invalidateQueries({ queryKey: ["deployments"] });
      if (created.length === 1) {
        void navigate(deploymentPath(created[0].name), { state: { flash: t("deploy.done", { name: created[0].name }) } });
      } else {
        void navigate(`/deployments?created=${encodeURIComponent(created.map((d) => d.name).join(", "))}`);
      }
    },
  });
  const errors = fieldErrors(mutation.error, FIELDS, t);
  /** A text field's value, change and error (`field`: the API's name of it, when it has one). */
  const bind = (k: "alias" | "query" | "table" | "description", field?: string) => ({
    value: form[k],
    onChange: (e: { target: { value: string } }) => set(k, e.target.value),
    field,
    errors: errors.of,
  });
  const inputReady = form.inputKind !== "dataset" || !!form.dataset;

  return (
    <FormPage
      title={t("deploy.title", { name: m.title })}
      onSubmit={() => mutation.mutate()}
      error={errors.unplaced}
      submitLabel={many ? t("deploy.submitMany", { n: form.markets.length }) : t("deploy.submit")}
      canSubmit={!mutation.isPending && form.markets.length > 0 && !!name.trim() && inputReady}
    >
      <Grid container spacing={2}>
        <Grid size={{ xs: 12, lg: 7 }}>
          <Section title={t("deploy.what")}>
            <Grid container spacing={2}>
              <Grid size={12}>
                <MarketsField
                  label={t("deploy.markets")}
                  value={form.markets}
                  onChange={(v) => set("markets", v)}
                  options={m.markets}
                  help={t("deploy.marketsHelp")}
                  error={errors.of("markets") ?? errors.of("market")}
                  testId="markets"
                />
              </Grid>
              <FormField
                cell={{ xs: 12, md: 6 }}
                required
                label={many ? t("deploy.namePrefix") : t("deploy.name")}
                value={name}
                onChange={(e) => set("name", e.target.value)}
                field={many ? "name_prefix" : "name"}
                errors={errors.of}
                help={names.length > 1 ? t("deploy.namesWillBe", { names: names.join(", ") }) : t("deploy.nameHelp")}
              />
              <Grid size={12}>
                <RadioGroup row value={form.mode} onChange={(e) => set("mode", e.target.value as DeployFields["mode"])}>
                  <FormControlLabel value="alias" control={<Radio />} label={t("deploy.followAlias")} disabled={!hasAliases} />
                  <FormControlLabel value="version" control={<Radio />} label={t("deploy.pinVersion")} />
                </RadioGroup>
              </Grid>
              {form.mode === "alias" && hasAliases ? (
                <FormField
                  cell={{ xs: 12, md: 6 }}
                  label={t("deploy.alias")}
                  options={Object.entries(aliases).map(([a, v]) => ({ value: a, label: `${a} (v${v})` }))}
                  {...bind("alias", "alias")}
                />
              ) : (
                <FormField
                  cell={{ xs: 12, md: 6 }}
                  label={t("deploy.version")}
                  value={form.version}
                  onChange={(e) => set("version", Number(e.target.value))}
                  field="version"
                  errors={errors.of}
                  options={versionChoices(versions.data ?? [])}
                />
              )}
              <FormField
                cell={{ xs: 12, md: 6 }}
                label={t("deploy.engine")}
                value={form.engine}
                onChange={(e) => set("engine", e.target.value as Engine)}
                field="engine"
                errors={errors.of}
                help={t("deploy.engineHelp")}
                options={[
                  { value: "local", label: t("deploy.engineLocal") },
                  { value: "spark", label: "Spark" },
                ]}
              />
              <FormField cell={12} label={t("deploy.description")} {...bind("description", "description")} />
            </Grid>
          </Section>
          <Section title={t("deploy.input")}>
            <RadioGroup
              value={form.inputKind}
              onChange={(e) => set("inputKind", e.target.value as InputKind)}
              aria-label={t("deploy.input")}
            >
              <FormControlLabel value="upload" control={<Radio />} label={t("deploy.inputUpload")} />
              <FormControlLabel value="dataset" control={<Radio />} label={t("deploy.inputDataset")} />
              <FormControlLabel value="sql" control={<Radio />} label={t("deploy.inputSql")} />
            </RadioGroup>
            {form.inputKind === "dataset" && (
              <DatasetUpload dataset={form.dataset} onDataset={(d) => set("dataset", d)} error={errors.of("input.dataset") ?? errors.of("input")} />
            )}
            {form.inputKind === "sql" && (
              <Stack spacing={2} sx={{ mt: 1 }}>
                <ConnectionField value={form.connection} onChange={(v) => set("connection", v)} field="input" errors={errors.of} />
                <FormField label={t("deploy.query")} multiline minRows={3} slotProps={MONOSPACE} {...bind("query")} />
              </Stack>
            )}
          </Section>
          <Section title={t("deploy.badRows")}>
            <BadRowsChoice value={form.onBadRows} onChange={(v) => set("onBadRows", v)} error={errors.of("on_bad_rows")} />
          </Section>
          <Section title={t("deploy.output")}>
            <Grid container spacing={2}>
              <FormField
                cell={{ xs: 12, md: 4 }}
                label={t("deploy.outputFormat")}
                value={form.format}
                onChange={(e) => set("format", e.target.value as OutputFormat)}
                options={[
                  { value: "parquet", label: "Parquet" },
                  { value: "csv", label: "CSV" },
                ]}
              />
              <Grid size={{ xs: 12, md: 4 }}>
                <ConnectionField value={form.outConnection} onChange={(v) => set("outConnection", v)} />
              </Grid>
              <FormField cell={{ xs: 12, md: 4 }} label={t("deploy.table")} help={t("deploy.outputTable")} {...bind("table", "output")} />
            </Grid>
          </Section>
        </Grid>
        <Grid size={{ xs: 12, lg: 5 }}>
          <Section title={t("deploy.schedule")}>
            {!stored ? (
              <Typography color="text.secondary" data-testid="schedule-needs-stored">
                {t("deploy.scheduleNeedsStored")}
              </Typography>
            ) : (
              <>
                <FormControlLabel
                  control={<Switch checked={form.scheduled} onChange={(e) => set("scheduled", e.target.checked)} />}
                  label={t("deploy.scheduled")}
                />
                {form.scheduled && (
                  <ScheduleFields
                    cron={form.cron}
                    timezone={zone}
                    onCron={(v) => set("cron", v)}
                    onTimezone={(v) => set("timezone", v)}
                    cronError={errors.of("schedule") ?? errors.of("cron")}
                    timezoneError={errors.of("schedule.timezone") ?? errors.of("timezone")}
                    timezoneHelp={
                      form.timezone === null && usualZone ? t("deploy.timezoneOfMarket", { market: form.markets[0] }) : undefined
                    }
                  />
                )}
              </>
            )}
            {!stored && errors.of("schedule") && (
              <Typography color="error" variant="body2" role="alert" sx={{ mt: 1 }}>
                {errors.of("schedule")}
              </Typography>
            )}
          </Section>
          <Section title={t("deploy.params")}>
            <FormField
              multiline
              minRows={3}
              label={t("deploy.params")}
              slotProps={MONOSPACE}
              value={paramsText}
              onChange={(e) => setParamsText(e.target.value)}
              field="params"
              errors={errors.of}
            />
          </Section>
        </Grid>
      </Grid>
    </FormPage>
  );
}
