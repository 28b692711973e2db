/** Deploy a model: version or alias, market, input and output, an optional schedule, parameters. */
import { Alert, FormControlLabel, Grid, Radio, RadioGroup, Stack, Switch } from "@mui/material";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { useNavigate } from "react-router";
import { ApiError, createDeployment, listConnections, listVersions } from "../api/client";
import { fieldErrors } from "../api/errors";
import type { Deployment, DeploymentCreate, Model } from "../api/types";
import { CronHelper } from "../components/CronHelper";
import { FormField, type FieldError } from "../components/FormField";
import { Section } from "../components/Section";
import { FormPage } from "../components/FormPage";
import { useT, type Translate } from "../i18n";
import { timeZones, userTimeZone } from "../lib/cron";
import { slugify } from "../lib/text";
import { ModelRoute } from "../models/ModelRoute";
import { versionChoices } from "../models/versions";

const FIELDS = ["name", "version", "alias", "market", "description", "engine", "params", "schedule", "cron", "timezone", "input", "output"] as const;
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

type Engine = Deployment["engine"];
type OutputFormat = Deployment["output"]["format"];

/** The form as typed; `name` stays null (and follows the market) until the user types one. */
interface DeployFields {
  market: string;
  name: string | null;
  mode: "alias" | "version";
  alias: string;
  version: number | "";
  inputType: "upload" | "sql";
  connection: string;
  query: string;
  format: OutputFormat;
  table: string;
  outConnection: string;
  scheduled: boolean;
  cron: string;
  timezone: string;
  params: string;
  description: string;
  engine: Engine;
}

function deploymentCreate(f: DeployFields, model: string, name: string, params: Record<string, unknown>): DeploymentCreate {
  const body: DeploymentCreate = {
    name: name.trim(),
    model,
    market: f.market,
    description: f.description.trim(),
    engine: f.engine,
    params,
    schedule: f.scheduled ? { cron: f.cron.trim(), timezone: f.timezone } : null,
    input: f.inputType === "sql" ? { kind: "sql", connection: f.connection, query: f.query } : { kind: "upload" },
    output: f.table.trim() ? { format: f.format, connection: f.outConnection || null, table: f.table.trim() } : { format: f.format },
  };
  if (f.mode === "alias") body.alias = f.alias;
  else if (f.version !== "") body.version = f.version;
  return body;
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
  const zones = useMemo(() => timeZones(), []);
  const [form, setForm] = useState<DeployFields>({
    market: "",
    name: null,
    mode: "alias",
    alias: "champion",
    version: "",
    inputType: "upload",
    connection: "",
    query: "",
    format: "parquet",
    table: "",
    outConnection: "",
    scheduled: false,
    cron: "0 6 * * 1",
    timezone: userTimeZone(),
    params: "{}",
    description: "",
    engine: "local",
  });
  const set = <K extends keyof DeployFields>(k: K, v: DeployFields[K]) => setForm((f) => ({ ...f, [k]: v }));
  const name = form.name ?? (form.market ? slugify(`${m.name}-${form.market}`) : "");

  const mutation = useMutation({
    mutationFn: () => createDeployment(deploymentCreate(form, m.name, name, parseParams(form.params, t))),
    onSuccess: (d) => {
      void client.invalidateQueries({ queryKey: ["deployments"] });
      void navigate(`/deployments?created=${encodeURIComponent(d.name)}`);
    },
  });
  const errors = fieldErrors(mutation.error, FIELDS, t);
  /** A text field's value, change and error (`field`: the API's name of it, when it has one). */
  const bind = (k: "market" | "alias" | "query" | "table" | "cron" | "timezone" | "params" | "description", field?: string) => ({
    value: form[k],
    onChange: (e: { target: { value: string } }) => set(k, e.target.value),
    field,
    errors: errors.of,
  });

  return (
    <FormPage
      title={t("deploy.title", { name: m.title })}
      onSubmit={() => mutation.mutate()}
      error={errors.unplaced}
      submitLabel={t("deploy.submit")}
      canSubmit={!mutation.isPending && !!form.market && !!name}
    >
      <Grid container spacing={2}>
        <Grid size={{ xs: 12, lg: 7 }}>
          <Section title={t("deploy.what")}>
            <Grid container spacing={2}>
              <FormField cell={{ xs: 12, md: 6 }} required label={t("deploy.market")} options={m.markets} {...bind("market", "market")} />
              <FormField
                cell={{ xs: 12, md: 6 }}
                required
                label={t("deploy.name")}
                value={name}
                onChange={(e) => set("name", e.target.value)}
                field="name"
                errors={errors.of}
                help={t("deploy.nameHelp")}
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
            <RadioGroup value={form.inputType} onChange={(e) => set("inputType", e.target.value as DeployFields["inputType"])}>
              <FormControlLabel value="upload" control={<Radio />} label={t("deploy.inputUpload")} />
              <FormControlLabel value="sql" control={<Radio />} label={t("deploy.inputSql")} />
            </RadioGroup>
            {form.inputType === "sql" && (
              <Stack spacing={2} sx={{ mt: 1 }}>
                <ConnectionField value={form.connection} onChange={(v) => set("connection", v)} field="input" errors={errors.of} />
                <FormField label={t("deploy.query")} multiline minRows={3} slotProps={MONOSPACE} {...bind("query")} />
              </Stack>
            )}
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
            <FormControlLabel
              control={<Switch checked={form.scheduled} onChange={(e) => set("scheduled", e.target.checked)} />}
              label={t("deploy.scheduled")}
            />
            {form.scheduled && (
              <Stack spacing={2} sx={{ mt: 1 }}>
                <FormField
                  label={t("deploy.cron")}
                  help={t("deploy.cronHelp")}
                  slotProps={{ htmlInput: { ...MONOSPACE.htmlInput, "data-testid": "cron" } }}
                  {...bind("cron", errors.of("cron") ? "cron" : "schedule")}
                />
                <FormField label={t("deploy.timezone")} options={zones} {...bind("timezone", "timezone")} />
                <CronHelper cron={form.cron} timezone={form.timezone} />
              </Stack>
            )}
          </Section>
          <Section title={t("deploy.params")}>
            <FormField multiline minRows={3} label={t("deploy.params")} slotProps={MONOSPACE} {...bind("params", "params")} />
          </Section>
        </Grid>
      </Grid>
    </FormPage>
  );
}
