/**
 * Register a model (its card, then its first version's file) or a new version of one. The file goes
 * up through XMLHttpRequest to show progress; the API's validation errors land next to their field.
 */
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  Grid,
  LinearProgress,
  MenuItem,
  Stack,
  TextField,
  Typography,
} from "@mui/material";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useNavigate, useParams } from "react-router";
import { ApiError, createModel, getModel, uploadVersion, type VersionMeta } from "../api/client";
import { describeError, errorField } from "../api/errors";
import type { ModelVersion } from "../api/types";
import { FileDrop } from "../components/FileDrop";
import { RequireRole } from "../components/Forbidden";
import { ErrorState, Loading } from "../components/States";
import { useT } from "../i18n";

export const DEPARTMENTS = ["rd", "marketing", "supply-chain", "sales", "hr", "finance"] as const;

const CARD_FIELDS = ["name", "title", "description", "department", "markets", "brands", "use_case", "tags"] as const;
const VERSION_FIELDS = ["file", "sample", "meta.metrics", "meta.aliases", "meta.training_data", "meta.source_version", "meta.description", "meta"] as const;
const ALL_FIELDS = [...CARD_FIELDS, ...VERSION_FIELDS];

export function slugify(s: string): string {
  return s
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 100);
}

export function splitList(s: string): string[] {
  return s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);
}

/** Metrics typed as JSON: an object of numbers, or null when it is not one. */
export function parseMetrics(s: string): Record<string, number> | null {
  if (!s.trim()) return {};
  try {
    const value: unknown = JSON.parse(s);
    if (!value || typeof value !== "object" || Array.isArray(value)) return null;
    const entries = Object.entries(value as Record<string, unknown>);
    if (!entries.every(([, v]) => typeof v === "number")) return null;
    return Object.fromEntries(entries) as Record<string, number>;
  } catch {
    return null;
  }
}

interface VersionFields {
  versionDescription: string;
  trainingData: string;
  sourceVersion: string;
  metrics: string;
  aliases: string;
}

function VersionForm({
  values,
  onChange,
  fieldError,
}: {
  values: VersionFields;
  onChange: (v: VersionFields) => void;
  fieldError: (f: string) => string | undefined;
}) {
  const t = useT();
  const set = (k: keyof VersionFields) => (e: { target: { value: string } }) => onChange({ ...values, [k]: e.target.value });
  return (
    <Grid container spacing={2}>
      <Grid size={12}>
        <Typography variant="h2" component="h2">
          {t("register.versionCard")}
        </Typography>
      </Grid>
      <Grid size={12}>
        <TextField
          fullWidth
          label={t("register.versionDescription")}
          value={values.versionDescription}
          onChange={set("versionDescription")}
          error={!!fieldError("meta.description")}
          helperText={fieldError("meta.description")}
        />
      </Grid>
      <Grid size={12}>
        <TextField
          fullWidth
          label={t("register.trainingData")}
          value={values.trainingData}
          onChange={set("trainingData")}
          error={!!fieldError("meta.training_data")}
          helperText={fieldError("meta.training_data")}
        />
      </Grid>
      <Grid size={12}>
        <TextField
          fullWidth
          label={t("register.sourceVersion")}
          value={values.sourceVersion}
          onChange={set("sourceVersion")}
          error={!!fieldError("meta.source_version")}
          helperText={fieldError("meta.source_version")}
        />
      </Grid>
      <Grid size={{ xs: 12, md: 6 }}>
        <TextField
          fullWidth
          label={t("register.metrics")}
          value={values.metrics}
          onChange={set("metrics")}
          error={!!fieldError("meta.metrics")}
          helperText={fieldError("meta.metrics") ?? t("register.metricsHelp")}
          slotProps={{ htmlInput: { spellCheck: false } }}
        />
      </Grid>
      <Grid size={{ xs: 12, md: 6 }}>
        <TextField
          fullWidth
          label={t("register.aliases")}
          value={values.aliases}
          onChange={set("aliases")}
          error={!!fieldError("meta.aliases")}
          helperText={fieldError("meta.aliases") ?? t("register.aliasesHelp")}
        />
      </Grid>
    </Grid>
  );
}

function useUploadFlow() {
  const [progress, setProgress] = useState<number | null>(null);
  return { progress, setProgress };
}

function UploadStatus({ progress }: { progress: number | null }) {
  const t = useT();
  if (progress === null) return null;
  const pct = Math.round(progress * 100);
  return (
    <Box sx={{ my: 2 }} role="status" aria-live="polite">
      <Typography variant="body2" sx={{ mb: 0.5 }}>
        {pct < 100 ? t("register.uploading", { pct }) : t("register.checking")}
      </Typography>
      <LinearProgress
        variant={pct < 100 ? "determinate" : "indeterminate"}
        value={pct}
        aria-label={t("register.uploading", { pct })}
      />
    </Box>
  );
}

const EMPTY_VERSION: VersionFields = { versionDescription: "", trainingData: "", sourceVersion: "", metrics: "", aliases: "champion" };

function versionMeta(v: VersionFields): VersionMeta | "bad-metrics" {
  const metrics = parseMetrics(v.metrics);
  if (metrics === null) return "bad-metrics";
  const meta: VersionMeta = { metrics, aliases: splitList(v.aliases) };
  if (v.versionDescription.trim()) meta.description = v.versionDescription.trim();
  if (v.trainingData.trim()) meta.training_data = v.trainingData.trim();
  if (v.sourceVersion.trim()) meta.source_version = v.sourceVersion.trim();
  return meta;
}

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
  const [card, setCard] = useState({
    name: "",
    title: "",
    description: "",
    department: "",
    markets: "",
    brands: "",
    use_case: "",
    tags: "",
  });
  const [nameTouched, setNameTouched] = useState(false);
  const [version, setVersion] = useState<VersionFields>(EMPTY_VERSION);
  const [file, setFile] = useState<File | null>(null);
  const [sample, setSample] = useState<File | null>(null);
  const [created, setCreated] = useState<string | null>(null);
  const [localError, setLocalError] = useState<{ field: string; message: string } | null>(null);
  const { progress, setProgress } = useUploadFlow();

  const mutation = useMutation({
    mutationFn: async (): Promise<ModelVersion> => {
      const meta = versionMeta(version);
      if (meta === "bad-metrics") throw new ApiError(422, "invalid_argument", t("register.metricsInvalid"), "meta.metrics");
      let name = created;
      if (!name) {
        const model = await createModel({
          name: card.name.trim(),
          title: card.title.trim(),
          description: card.description,
          department: card.department,
          markets: splitList(card.markets),
          brands: splitList(card.brands),
          use_case: card.use_case.trim() || null,
          tags: splitList(card.tags),
          visibility: "company",
        });
        name = model.name;
        setCreated(name);
      }
      setProgress(0);
      return uploadVersion(name, file!, { sample, meta, onProgress: setProgress });
    },
    onSettled: () => setProgress(null),
    onSuccess: (v) => {
      void client.invalidateQueries({ queryKey: ["models"] });
      void navigate(`/models/${v.model}`, { state: { flash: t("register.done", { name: v.model, n: v.version }) } });
    },
  });

  const err = mutation.error;
  const field = errorField(err, ALL_FIELDS) ?? (localError?.field || null);
  const fieldError = (f: string): string | undefined => {
    if (localError?.field === f) return localError.message;
    if (field === f && err) return describeError(err, t);
    return undefined;
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setLocalError(null);
    if (!file) {
      setLocalError({ field: "file", message: t("register.needFile") });
      return;
    }
    mutation.mutate();
  };
  const setField = (k: keyof typeof card) => (e: { target: { value: string } }) => {
    const value = e.target.value;
    setCard((c) => ({ ...c, [k]: value, ...(k === "title" && !nameTouched && !created ? { name: slugify(value) } : {}) }));
  };
  const unplaced = err && !field;

  return (
    <Box component="form" onSubmit={submit} noValidate>
      <Typography variant="h1" sx={{ mb: 2 }}>
        {t("register.title")}
      </Typography>
      {created && err && <Alert severity="warning" sx={{ mb: 2 }}>{t("register.modelCreatedNoVersion", { name: created })}</Alert>}
      {unplaced && (
        <Alert severity="error" sx={{ mb: 2 }} role="alert">
          {describeError(err, t)}
        </Alert>
      )}
      <Grid container spacing={2}>
        <Grid size={{ xs: 12, lg: 7 }}>
          <Card>
            <CardContent>
              <Typography variant="h2" component="h2" sx={{ mb: 2 }}>
                {t("register.card")}
              </Typography>
              <Grid container spacing={2}>
                <Grid size={{ xs: 12, md: 6 }}>
                  <TextField
                    fullWidth
                    required
                    label={t("register.titleField")}
                    value={card.title}
                    onChange={setField("title")}
                    error={!!fieldError("title")}
                    helperText={fieldError("title")}
                    disabled={!!created}
                    slotProps={{ htmlInput: { "data-testid": "field-title" } }}
                  />
                </Grid>
                <Grid size={{ xs: 12, md: 6 }}>
                  <TextField
                    fullWidth
                    required
                    label={t("register.name")}
                    value={card.name}
                    onChange={(e) => {
                      setNameTouched(true);
                      setField("name")(e);
                    }}
                    error={!!fieldError("name")}
                    helperText={fieldError("name") ?? t("register.nameHelp")}
                    disabled={!!created}
                    slotProps={{ htmlInput: { "data-testid": "field-name" } }}
                  />
                </Grid>
                <Grid size={{ xs: 12, md: 6 }}>
                  <TextField
                    fullWidth
                    required
                    select
                    label={t("register.department")}
                    value={card.department}
                    onChange={setField("department")}
                    error={!!fieldError("department")}
                    helperText={fieldError("department")}
                    disabled={!!created}
                    slotProps={{ select: { SelectDisplayProps: { "data-testid": "field-department" } as object } }}
                  >
                    {DEPARTMENTS.map((d) => (
                      <MenuItem key={d} value={d}>
                        {d}
                      </MenuItem>
                    ))}
                  </TextField>
                </Grid>
                <Grid size={{ xs: 12, md: 6 }}>
                  <TextField
                    fullWidth
                    label={t("register.useCase")}
                    value={card.use_case}
                    onChange={setField("use_case")}
                    error={!!fieldError("use_case")}
                    helperText={fieldError("use_case")}
                    disabled={!!created}
                  />
                </Grid>
                <Grid size={{ xs: 12, md: 4 }}>
                  <TextField
                    fullWidth
                    label={t("register.markets")}
                    value={card.markets}
                    onChange={setField("markets")}
                    error={!!fieldError("markets")}
                    helperText={fieldError("markets") ?? t("register.marketsHelp")}
                    disabled={!!created}
                    slotProps={{ htmlInput: { "data-testid": "field-markets" } }}
                  />
                </Grid>
                <Grid size={{ xs: 12, md: 4 }}>
                  <TextField
                    fullWidth
                    label={t("register.brands")}
                    value={card.brands}
                    onChange={setField("brands")}
                    error={!!fieldError("brands")}
                    helperText={fieldError("brands") ?? t("register.brandsHelp")}
                    disabled={!!created}
                  />
                </Grid>
                <Grid size={{ xs: 12, md: 4 }}>
                  <TextField
                    fullWidth
                    label={t("register.tags")}
                    value={card.tags}
                    onChange={setField("tags")}
                    error={!!fieldError("tags")}
                    helperText={fieldError("tags") ?? t("register.tagsHelp")}
                    disabled={!!created}
                  />
                </Grid>
                <Grid size={12}>
                  <TextField
                    fullWidth
                    multiline
                    minRows={6}
                    label={t("register.description")}
                    value={card.description}
                    onChange={setField("description")}
                    error={!!fieldError("description")}
                    helperText={fieldError("description")}
                    disabled={!!created}
                    slotProps={{ htmlInput: { "data-testid": "field-description" } }}
                  />
                </Grid>
              </Grid>
            </CardContent>
          </Card>
        </Grid>
        <Grid size={{ xs: 12, lg: 5 }}>
          <Card sx={{ mb: 2 }}>
            <CardContent>
              <Stack spacing={2}>
                <FileDrop
                  label={t("register.file")}
                  prompt={t("register.drop")}
                  browse={t("register.browse")}
                  help={t("register.fileHelp")}
                  file={file}
                  onFile={setFile}
                  error={fieldError("file")}
                  testId="model-file"
                />
                <FileDrop
                  label={t("register.sample")}
                  prompt={t("register.dropSample")}
                  browse={t("register.browse")}
                  help={t("register.sampleHelp")}
                  accept=".csv,text/csv"
                  file={sample}
                  onFile={setSample}
                  error={fieldError("sample")}
                  testId="sample-file"
                />
              </Stack>
            </CardContent>
          </Card>
          <Card>
            <CardContent>
              <VersionForm values={version} onChange={setVersion} fieldError={fieldError} />
            </CardContent>
          </Card>
        </Grid>
      </Grid>
      <UploadStatus progress={progress} />
      <Stack direction="row" spacing={1} sx={{ mt: 2 }}>
        <Button type="submit" variant="contained" size="large" disabled={mutation.isPending}>
          {t("register.submit")}
        </Button>
      </Stack>
    </Box>
  );
}

export function NewVersionPage() {
  return (
    <RequireRole role="data_scientist">
      <NewVersionForm />
    </RequireRole>
  );
}

function NewVersionForm() {
  const t = useT();
  const { name = "" } = useParams();
  const navigate = useNavigate();
  const client = useQueryClient();
  const model = useQuery({ queryKey: ["model", name], queryFn: () => getModel(name) });
  const [version, setVersion] = useState<VersionFields>({ ...EMPTY_VERSION, aliases: "" });
  const [file, setFile] = useState<File | null>(null);
  const [sample, setSample] = useState<File | null>(null);
  const [localError, setLocalError] = useState<{ field: string; message: string } | null>(null);
  const { progress, setProgress } = useUploadFlow();
  const mutation = useMutation({
    mutationFn: () => {
      const meta = versionMeta(version);
      if (meta === "bad-metrics") throw new ApiError(422, "invalid_argument", t("register.metricsInvalid"), "meta.metrics");
      setProgress(0);
      return uploadVersion(name, file!, { sample, meta, onProgress: setProgress });
    },
    onSettled: () => setProgress(null),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["model", name] });
      void client.invalidateQueries({ queryKey: ["versions", name] });
      void client.invalidateQueries({ queryKey: ["models"] });
      void navigate(`/models/${name}`);
    },
  });
  if (model.isPending) return <Loading />;
  if (model.isError) return <ErrorState error={model.error} onRetry={() => void model.refetch()} />;
  const err = mutation.error;
  const field = errorField(err, VERSION_FIELDS);
  const fieldError = (f: string) =>
    localError?.field === f ? localError.message : field === f && err ? describeError(err, t) : undefined;
  return (
    <Box
      component="form"
      noValidate
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        setLocalError(null);
        if (!file) setLocalError({ field: "file", message: t("register.needFile") });
        else mutation.mutate();
      }}
    >
      <Typography variant="h1" sx={{ mb: 2 }}>
        {t("register.newVersionTitle", { name: model.data.title })}
      </Typography>
      {err && !field && (
        <Alert severity="error" role="alert" sx={{ mb: 2 }}>
          {describeError(err, t)}
        </Alert>
      )}
      <Grid container spacing={2}>
        <Grid size={{ xs: 12, md: 5 }}>
          <Card>
            <CardContent>
              <Stack spacing={2}>
                <FileDrop
                  label={t("register.file")}
                  prompt={t("register.drop")}
                  browse={t("register.browse")}
                  help={t("register.fileHelp")}
                  file={file}
                  onFile={setFile}
                  error={fieldError("file")}
                  testId="model-file"
                />
                <FileDrop
                  label={t("register.sample")}
                  prompt={t("register.dropSample")}
                  browse={t("register.browse")}
                  help={t("register.sampleHelp")}
                  accept=".csv,text/csv"
                  file={sample}
                  onFile={setSample}
                  error={fieldError("sample")}
                  testId="sample-file"
                />
              </Stack>
            </CardContent>
          </Card>
        </Grid>
        <Grid size={{ xs: 12, md: 7 }}>
          <Card>
            <CardContent>
              <VersionForm values={version} onChange={setVersion} fieldError={fieldError} />
            </CardContent>
          </Card>
        </Grid>
      </Grid>
      <UploadStatus progress={progress} />
      <Button type="submit" variant="contained" size="large" sx={{ mt: 2 }} disabled={mutation.isPending}>
        {t("register.uploadVersion")}
      </Button>
    </Box>
  );
}

