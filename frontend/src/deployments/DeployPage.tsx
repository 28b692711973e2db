/** Deploy a model: version or alias, market, input and output, an optional schedule, parameters. */
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  FormControlLabel,
  Grid,
  MenuItem,
  Radio,
  RadioGroup,
  Stack,
  Switch,
  TextField,
  Typography,
} from "@mui/material";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState, type FormEvent, type ReactNode } from "react";
import { useNavigate, useParams } from "react-router";
import { ApiError, createDeployment, getModel, listConnections, listVersions } from "../api/client";
import { describeError, errorField } from "../api/errors";
import type { DeploymentCreate } from "../api/types";
import { CronHelper } from "../components/CronHelper";
import { RequireRole } from "../components/Forbidden";
import { ErrorState, isNotAvailable, Loading, NotAvailable } from "../components/States";
import { timeZones, userTimeZone } from "../lib/cron";
import { slugify } from "../models/RegisterModelPage";
import { useT } from "../i18n";

const FIELDS = ["name", "version", "alias", "market", "description", "engine", "params", "schedule", "cron", "timezone", "input", "output"] as const;

/** A connection by name: a list of the configured ones when the server tells them, else free text. */
function ConnectionField({ value, onChange, error }: { value: string; onChange: (v: string) => void; error?: string }) {
  const t = useT();
  const q = useQuery({ queryKey: ["connections"], queryFn: listConnections, retry: false, staleTime: 60_000 });
  const names = q.data ?? [];
  if (!names.length) {
    return (
      <TextField fullWidth label={t("deploy.connection")} value={value} onChange={(e) => onChange(e.target.value)} error={!!error} helperText={error} />
    );
  }
  return (
    <TextField select fullWidth label={t("deploy.connection")} value={value} onChange={(e) => onChange(e.target.value)} error={!!error} helperText={error}>
      <MenuItem value="">{t("common.none")}</MenuItem>
      {names.map((c) => (
        <MenuItem key={c.name} value={c.name}>
          {c.name} ({c.kind})
        </MenuItem>
      ))}
    </TextField>
  );
}

function Block({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Card sx={{ mb: 2 }}>
      <CardContent>
        <Typography variant="h2" component="h2" sx={{ mb: 2 }}>
          {title}
        </Typography>
        {children}
      </CardContent>
    </Card>
  );
}

export function DeployPage() {
  return (
    <RequireRole role="data_scientist">
      <DeployForm />
    </RequireRole>
  );
}

function DeployForm() {
  const t = useT();
  const { name = "" } = useParams();
  const navigate = useNavigate();
  const client = useQueryClient();
  const model = useQuery({ queryKey: ["model", name], queryFn: () => getModel(name) });
  const versions = useQuery({ queryKey: ["versions", name], queryFn: () => listVersions(name) });
  const [market, setMarket] = useState("");
  const [depName, setDepName] = useState("");
  const [nameTouched, setNameTouched] = useState(false);
  const [mode, setMode] = useState<"alias" | "version">("alias");
  const [alias, setAlias] = useState("champion");
  const [version, setVersion] = useState<number | "">("");
  const [inputType, setInputType] = useState<"upload" | "sql">("upload");
  const [connection, setConnection] = useState("");
  const [query, setQuery] = useState("");
  const [format, setFormat] = useState<"parquet" | "csv">("parquet");
  const [table, setTable] = useState("");
  const [outConnection, setOutConnection] = useState("");
  const [scheduled, setScheduled] = useState(false);
  const [cron, setCron] = useState("0 6 * * 1");
  const [timezone, setTimezone] = useState(userTimeZone());
  const [params, setParams] = useState("{}");
  const [description, setDescription] = useState("");
  const [engine, setEngine] = useState<"local" | "spark">("local");
  const zones = useMemo(() => timeZones(), []);

  const mutation = useMutation({
    mutationFn: (finalName: string) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(params || "{}");
      } catch {
        parsed = null;
      }
      if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
        throw new ApiError(422, "invalid_argument", t("deploy.paramsInvalid"), "params");
      }
      const body: DeploymentCreate = {
        name: finalName.trim(),
        model: name,
        market,
        description: description.trim(),
        engine,
        params: parsed as Record<string, unknown>,
        schedule: scheduled ? { cron: cron.trim(), timezone } : null,
        input: inputType === "sql" ? { kind: "sql", connection, query } : { kind: "upload" },
        output: table.trim() ? { format, connection: outConnection || null, table: table.trim() } : { format },
      };
      if (mode === "alias") body.alias = alias;
      else if (version !== "") body.version = version;
      return createDeployment(body);
    },
    onSuccess: (d) => {
      void client.invalidateQueries({ queryKey: ["deployments"] });
      void navigate(`/deployments?created=${encodeURIComponent(d.name)}`);
    },
  });

  if (model.isPending) return <Loading />;
  if (model.isError) return <ErrorState error={model.error} onRetry={() => void model.refetch()} />;
  const m = model.data;
  const list = versions.data ?? [];
  const aliases = Object.keys(m.aliases);
  const err = mutation.error;
  const field = errorField(err, FIELDS);
  const fe = (f: string) => (field === f && err ? describeError(err, t) : undefined);
  const effectiveName = nameTouched ? depName : depName || (market ? slugify(`${m.name}-${market}`) : "");

  const submit = (e: FormEvent) => {
    e.preventDefault();
    mutation.mutate(effectiveName);
  };

  if (m.version_count === 0) return <Alert severity="info">{t("deploy.noVersion")}</Alert>;

  return (
    <Box component="form" onSubmit={submit} noValidate>
      <Typography variant="h1" sx={{ mb: 2 }}>
        {t("deploy.title", { name: m.title })}
      </Typography>
      {err && isNotAvailable(err) && <NotAvailable />}
      {err && !field && !isNotAvailable(err) && (
        <Alert severity="error" role="alert" sx={{ mb: 2 }}>
          {describeError(err, t)}
        </Alert>
      )}
      <Grid container spacing={2}>
        <Grid size={{ xs: 12, lg: 7 }}>
          <Block title={t("deploy.what")}>
            <Grid container spacing={2}>
              <Grid size={{ xs: 12, md: 6 }}>
                <TextField
                  select
                  fullWidth
                  required
                  label={t("deploy.market")}
                  value={market}
                  onChange={(e) => setMarket(e.target.value)}
                  error={!!fe("market")}
                  helperText={fe("market")}
                >
                  {m.markets.map((mk) => (
                    <MenuItem key={mk} value={mk}>
                      {mk}
                    </MenuItem>
                  ))}
                </TextField>
              </Grid>
              <Grid size={{ xs: 12, md: 6 }}>
                <TextField
                  fullWidth
                  required
                  label={t("deploy.name")}
                  value={effectiveName}
                  onChange={(e) => {
                    setNameTouched(true);
                    setDepName(e.target.value);
                  }}
                  error={!!fe("name")}
                  helperText={fe("name") ?? t("deploy.nameHelp")}
                />
              </Grid>
              <Grid size={12}>
                <RadioGroup row value={mode} onChange={(e) => setMode(e.target.value as "alias" | "version")}>
                  <FormControlLabel value="alias" control={<Radio />} label={t("deploy.followAlias")} disabled={!aliases.length} />
                  <FormControlLabel value="version" control={<Radio />} label={t("deploy.pinVersion")} />
                </RadioGroup>
              </Grid>
              <Grid size={{ xs: 12, md: 6 }} sx={{ order: 2 }}>
                <TextField
                  select
                  fullWidth
                  label={t("deploy.engine")}
                  value={engine}
                  onChange={(e) => setEngine(e.target.value as "local" | "spark")}
                  helperText={t("deploy.engineHelp")}
                >
                  <MenuItem value="local">{t("deploy.engineLocal")}</MenuItem>
                  <MenuItem value="spark">Spark</MenuItem>
                </TextField>
              </Grid>
              <Grid size={12} sx={{ order: 3 }}>
                <TextField
                  fullWidth
                  label={t("deploy.description")}
                  value={description}
                  onChange={(e) => setDescription(e.target.value)}
                  error={!!fe("description")}
                  helperText={fe("description")}
                />
              </Grid>
              <Grid size={{ xs: 12, md: 6 }}>
                {mode === "alias" && aliases.length ? (
                  <TextField
                    select
                    fullWidth
                    label={t("deploy.alias")}
                    value={alias}
                    onChange={(e) => setAlias(e.target.value)}
                    error={!!fe("alias")}
                    helperText={fe("alias")}
                  >
                    {aliases.map((a) => (
                      <MenuItem key={a} value={a}>
                        {a} (v{m.aliases[a]})
                      </MenuItem>
                    ))}
                  </TextField>
                ) : (
                  <TextField
                    select
                    fullWidth
                    label={t("deploy.version")}
                    value={version}
                    onChange={(e) => setVersion(Number(e.target.value))}
                    error={!!fe("version")}
                    helperText={fe("version")}
                  >
                    {list.map((v) => (
                      <MenuItem key={v.version} value={v.version}>
                        v{v.version} {v.aliases.length ? `(${v.aliases.join(", ")})` : ""}
                      </MenuItem>
                    ))}
                  </TextField>
                )}
              </Grid>
            </Grid>
          </Block>
          <Block title={t("deploy.input")}>
            <RadioGroup value={inputType} onChange={(e) => setInputType(e.target.value as "upload" | "sql")}>
              <FormControlLabel value="upload" control={<Radio />} label={t("deploy.inputUpload")} />
              <FormControlLabel value="sql" control={<Radio />} label={t("deploy.inputSql")} />
            </RadioGroup>
            {inputType === "sql" && (
              <Stack spacing={2} sx={{ mt: 1 }}>
                <ConnectionField value={connection} onChange={setConnection} error={fe("input")} />
                <TextField
                  label={t("deploy.query")}
                  value={query}
                  onChange={(e) => setQuery(e.target.value)}
                  multiline
                  minRows={3}
                  slotProps={{ htmlInput: { spellCheck: false, style: { fontFamily: "monospace" } } }}
                />
              </Stack>
            )}
          </Block>
          <Block title={t("deploy.output")}>
            <Grid container spacing={2}>
              <Grid size={{ xs: 12, md: 4 }}>
                <TextField select fullWidth label={t("deploy.outputFormat")} value={format} onChange={(e) => setFormat(e.target.value as "parquet" | "csv")}>
                  <MenuItem value="parquet">Parquet</MenuItem>
                  <MenuItem value="csv">CSV</MenuItem>
                </TextField>
              </Grid>
              <Grid size={{ xs: 12, md: 4 }}>
                <ConnectionField value={outConnection} onChange={setOutConnection} />
              </Grid>
              <Grid size={{ xs: 12, md: 4 }}>
                <TextField
                  fullWidth
                  label={t("deploy.table")}
                  value={table}
                  onChange={(e) => setTable(e.target.value)}
                  helperText={fe("output") ?? t("deploy.outputTable")}
                  error={!!fe("output")}
                />
              </Grid>
            </Grid>
          </Block>
        </Grid>
        <Grid size={{ xs: 12, lg: 5 }}>
          <Block title={t("deploy.schedule")}>
            <FormControlLabel
              control={<Switch checked={scheduled} onChange={(e) => setScheduled(e.target.checked)} />}
              label={t("deploy.scheduled")}
            />
            {scheduled && (
              <Stack spacing={2} sx={{ mt: 1 }}>
                <TextField
                  label={t("deploy.cron")}
                  value={cron}
                  onChange={(e) => setCron(e.target.value)}
                  error={!!(fe("cron") ?? fe("schedule"))}
                  helperText={fe("cron") ?? fe("schedule") ?? t("deploy.cronHelp")}
                  slotProps={{ htmlInput: { spellCheck: false, style: { fontFamily: "monospace" }, "data-testid": "cron" } }}
                />
                <TextField select label={t("deploy.timezone")} value={timezone} onChange={(e) => setTimezone(e.target.value)}>
                  {zones.map((z) => (
                    <MenuItem key={z} value={z}>
                      {z}
                    </MenuItem>
                  ))}
                </TextField>
                <CronHelper cron={cron} timezone={timezone} />
              </Stack>
            )}
          </Block>
          <Block title={t("deploy.params")}>
            <TextField
              fullWidth
              multiline
              minRows={3}
              label={t("deploy.params")}
              value={params}
              onChange={(e) => setParams(e.target.value)}
              error={!!fe("params")}
              helperText={fe("params")}
              slotProps={{ htmlInput: { spellCheck: false, style: { fontFamily: "monospace" } } }}
            />
          </Block>
        </Grid>
      </Grid>
      <Button type="submit" variant="contained" size="large" disabled={mutation.isPending || !market || !effectiveName}>
        {t("deploy.submit")}
      </Button>
    </Box>
  );
}
