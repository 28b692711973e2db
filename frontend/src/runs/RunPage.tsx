/** Run a deployed model: a form generated from its inputs for a few rows, or a file checked before it is sent. */
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  MenuItem,
  Tab,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Tabs,
  TextField,
  Typography,
} from "@mui/material";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { Link as RouterLink, useNavigate, useParams, useSearchParams } from "react-router";
import { getModel, getVersion, listDeployments, predict, runWithFile } from "../api/client";
import { describeError } from "../api/errors";
import type { Deployment, Model, PredictResponse } from "../api/types";
import { Can } from "../auth/session";
import { FileDrop } from "../components/FileDrop";
import { FilePreview } from "../components/FilePreview";
import { RequireRole } from "../components/Forbidden";
import { SchemaForm } from "../components/SchemaForm";
import { ErrorState, isNotAvailable, Loading, NotAvailable } from "../components/States";
import type { Row } from "../lib/schemaForm";
import { useT } from "../i18n";

/** The version a deployment serves, as a reference the versions route accepts. */
export function versionRef(d: Deployment, model: Model): string {
  if (d.version != null) return String(d.version);
  if (d.resolved_version != null) return String(d.resolved_version);
  if (d.alias) return d.alias;
  return String(model.aliases.champion ?? model.latest_version);
}

function PredictionTable({ rows, answer }: { rows: Row[]; answer: PredictResponse }) {
  const t = useT();
  const inputCols = rows[0] ? Object.keys(rows[0]) : [];
  const classes = answer.probabilities?.[0] ? Object.keys(answer.probabilities[0]) : [];
  return (
    <Box sx={{ mt: 2 }} data-testid="predictions">
      <Typography variant="h3" component="h3" sx={{ mb: 1 }}>
        {t("run.predictions")}
      </Typography>
      <Box sx={{ overflowX: "auto" }} tabIndex={0}>
        <Table size="small">
          <TableHead>
            <TableRow>
              <TableCell sx={{ fontWeight: 700 }}>{t("run.prediction")}</TableCell>
              {classes.map((c) => (
                <TableCell key={c} sx={{ fontWeight: 700 }}>
                  P({c})
                </TableCell>
              ))}
              {inputCols.map((c) => (
                <TableCell key={c}>{c}</TableCell>
              ))}
            </TableRow>
          </TableHead>
          <TableBody>
            {answer.predictions.map((p, i) => (
              <TableRow key={i}>
                <TableCell sx={{ fontWeight: 700 }}>{typeof p === "number" ? Math.round(p * 1000) / 1000 : String(p)}</TableCell>
                {classes.map((c) => (
                  <TableCell key={c} sx={{ whiteSpace: "nowrap" }}>{((answer.probabilities?.[i]?.[c] ?? 0) * 100).toFixed(1)} %</TableCell>
                ))}
                {inputCols.map((c) => (
                  <TableCell key={c}>{String(rows[i]?.[c] ?? "")}</TableCell>
                ))}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Box>
      <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
        {t("run.answeredBy", { n: answer.version, id: answer.request_id })}
      </Typography>
    </Box>
  );
}

function RunForms({ model, deployment }: { model: Model; deployment: Deployment }) {
  const t = useT();
  const navigate = useNavigate();
  const client = useQueryClient();
  const ref = versionRef(deployment, model);
  const version = useQuery({ queryKey: ["version", model.name, ref], queryFn: () => getVersion(model.name, ref) });
  const [tab, setTab] = useState<"form" | "file">("form");
  const [file, setFile] = useState<File | null>(null);
  const [fileOk, setFileOk] = useState(false);
  const [sent, setSent] = useState<Row[]>([]);
  const columns = useMemo(() => version.data?.input_schema.columns ?? [], [version.data]);
  const example = (version.data?.example as { input?: Row } | undefined)?.input ?? null;
  const predictMutation = useMutation({
    mutationFn: (rows: Row[]) => {
      setSent(rows);
      return predict(deployment.id, rows);
    },
  });
  const fileMutation = useMutation({
    mutationFn: (f: File) => runWithFile(deployment.id, f),
    onSuccess: (ex) => {
      void client.invalidateQueries({ queryKey: ["executions"] });
      void navigate(`/runs/${ex.id}`);
    },
  });
  if (version.isPending) return <Loading />;
  if (version.isError) return <ErrorState error={version.error} onRetry={() => void version.refetch()} />;
  return (
    <Card>
      <Tabs value={tab} onChange={(_e, v: "form" | "file") => setTab(v)} sx={{ borderBottom: 1, borderColor: "divider", px: 2 }}>
        <Tab value="form" label={t("run.fromForm")} id="tab-form" aria-controls="panel-form" />
        <Tab value="file" label={t("run.fromFile")} id="tab-file" aria-controls="panel-file" />
      </Tabs>
      <CardContent>
        {tab === "form" ? (
          <Box role="tabpanel" id="panel-form" aria-labelledby="tab-form">
            {columns.length === 0 ? (
              <Alert severity="info">{t("run.noSchema")}</Alert>
            ) : (
              <SchemaForm
                columns={columns}
                example={example}
                submitLabel={t("run.predict")}
                disabled={predictMutation.isPending}
                onSubmit={(rows) => predictMutation.mutate(rows)}
              />
            )}
            {predictMutation.isError &&
              (isNotAvailable(predictMutation.error) ? (
                <NotAvailable />
              ) : (
                <Alert severity="error" role="alert" sx={{ mt: 2 }}>
                  {describeError(predictMutation.error, t)}
                </Alert>
              ))}
            {predictMutation.data && <PredictionTable rows={sent} answer={predictMutation.data} />}
          </Box>
        ) : (
          <Box role="tabpanel" id="panel-file" aria-labelledby="tab-file">
            <FileDrop
              label={t("run.file")}
              prompt={t("run.fileDrop")}
              browse={t("register.browse")}
              accept=".csv,.txt,.xlsx,.parquet,text/csv"
              file={file}
              onFile={(f) => {
                setFile(f);
                setFileOk(false);
                fileMutation.reset();
              }}
              testId="run-file"
            />
            {file && <FilePreview file={file} schema={columns} onVerdict={setFileOk} />}
            {fileMutation.isError &&
              (isNotAvailable(fileMutation.error) ? (
                <NotAvailable />
              ) : (
                <Alert severity="error" role="alert" sx={{ mt: 2 }}>
                  {describeError(fileMutation.error, t)}
                </Alert>
              ))}
            <Button
              variant="contained"
              size="large"
              sx={{ mt: 2 }}
              disabled={!file || !fileOk || fileMutation.isPending}
              onClick={() => file && fileMutation.mutate(file)}
            >
              {t("run.start")}
            </Button>
          </Box>
        )}
      </CardContent>
    </Card>
  );
}

export function RunPage() {
  return (
    <RequireRole role="business_user">
      <RunChooser />
    </RequireRole>
  );
}

function RunChooser() {
  const t = useT();
  const { name = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const model = useQuery({ queryKey: ["model", name], queryFn: () => getModel(name) });
  const deployments = useQuery({ queryKey: ["deployments", { model: name }], queryFn: () => listDeployments({ model: name }) });
  if (model.isPending || deployments.isPending) return <Loading />;
  if (model.isError) return <ErrorState error={model.error} onRetry={() => void model.refetch()} />;
  const title = (
    <Typography variant="h1" sx={{ mb: 2 }}>
      {t("run.title", { name: model.data.title })}
    </Typography>
  );
  if (deployments.isError) {
    return (
      <>
        {title}
        {isNotAvailable(deployments.error) ? (
          <NotAvailable />
        ) : (
          <ErrorState error={deployments.error} onRetry={() => void deployments.refetch()} />
        )}
      </>
    );
  }
  const list = deployments.data.items.filter((d) => d.model === name || !d.model);
  if (list.length === 0) {
    return (
      <>
        {title}
        <Alert
          severity="info"
          action={
            <Can role="data_scientist">
              <Button component={RouterLink} to={`/models/${name}/deploy`} color="inherit">
                {t("model.deploy")}
              </Button>
            </Can>
          }
        >
          {t("run.noDeployment")}
        </Alert>
      </>
    );
  }
  const wanted = Number(params.get("deployment"));
  const current = list.find((d) => d.id === wanted) ?? list[0];
  return (
    <Box>
      {title}
      <TextField
        select
        label={t("run.deployment")}
        helperText={t("run.pickDeployment")}
        value={current.id}
        onChange={(e) => setParams({ deployment: e.target.value }, { replace: true })}
        sx={{ mb: 2, minWidth: 360 }}
      >
        {list.map((d) => (
          <MenuItem key={d.id} value={d.id}>
            {d.market} · {d.name} ({d.alias ?? `v${d.version}`})
          </MenuItem>
        ))}
      </TextField>
      <RunForms key={current.id} model={model.data} deployment={current} />
    </Box>
  );
}
