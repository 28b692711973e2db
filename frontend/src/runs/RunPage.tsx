/** Run a deployed model: a form generated from its inputs for a few rows, or a file checked before it is sent. */
import DownloadIcon from "@mui/icons-material/Download";
import { Alert, Box, Button, ButtonGroup, Card, CardContent, Stack, Tab, Tabs, Typography } from "@mui/material";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { Link as RouterLink, useNavigate, useSearchParams } from "react-router";
import { getVersion, listDeployments, predict, runWithFile, templateDownloadUrl } from "../api/client";
import type { Deployment, Model } from "../api/types";
import { Can } from "../auth/session";
import { FileDrop } from "../components/FileDrop";
import { FilePreview } from "../components/FilePreview";
import { FormField } from "../components/FormField";
import { SchemaForm } from "../components/SchemaForm";
import { ErrorAlert, ErrorState, Loading, QueryState } from "../components/States";
import { servesLabel } from "../deployments/labels";
import { ModelRoute } from "../models/ModelRoute";
import type { Row } from "../lib/schemaForm";
import { useT } from "../i18n";
import { PredictionTable } from "./PredictionTable";

/** The version a deployment serves, as a reference the versions route accepts. */
export function versionRef(d: Deployment, model: Model): string {
  if (d.version != null) return String(d.version);
  if (d.resolved_version != null) return String(d.resolved_version);
  if (d.alias) return d.alias;
  return String(model.aliases?.champion ?? model.latest_version);
}

/** The example input row a version was registered with (the schema types `example` as any object). */
export function exampleRow(example: Record<string, unknown>): Row | null {
  const input = example.input;
  return input && typeof input === "object" && !Array.isArray(input) ? (input as Row) : null;
}

function RunForms({ model, deployment }: { model: Model; deployment: Deployment }) {
  const t = useT();
  const navigate = useNavigate();
  const client = useQueryClient();
  const ref = versionRef(deployment, model);
  const version = useQuery({ queryKey: ["version", model.name, ref], queryFn: () => getVersion(model.name, ref) });
  const [params] = useSearchParams();
  const [tab, setTab] = useState<"form" | "file">(params.get("tab") === "file" ? "file" : "form");
  const [file, setFile] = useState<File | null>(null);
  const [fileOk, setFileOk] = useState(false);
  const [sent, setSent] = useState<Row[]>([]);
  const columns = useMemo(() => version.data?.input_schema.columns ?? [], [version.data]);
  const example = version.data ? exampleRow(version.data.example) : null;
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
            <ErrorAlert error={predictMutation.error} sx={{ mt: 2 }} />
            {predictMutation.data && <PredictionTable rows={sent} answer={predictMutation.data} />}
          </Box>
        ) : (
          <Box role="tabpanel" id="panel-file" aria-labelledby="tab-file">
            <Stack direction="row" spacing={1} sx={{ alignItems: "center", mb: 2, flexWrap: "wrap" }} data-testid="template">
              <Typography variant="body2">{t("run.templateHelp")}</Typography>
              <ButtonGroup size="small" aria-label={t("deployment.template")}>
                <Button href={templateDownloadUrl(deployment.id, "csv")} startIcon={<DownloadIcon />}>
                  {t("run.templateCsv")}
                </Button>
                <Button href={templateDownloadUrl(deployment.id, "xlsx")} startIcon={<DownloadIcon />}>
                  {t("run.templateXlsx")}
                </Button>
              </ButtonGroup>
            </Stack>
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
            <ErrorAlert error={fileMutation.error} sx={{ mt: 2 }} />
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
  const t = useT();
  return (
    <ModelRoute role="business_user">
      {(m) => (
        <>
          <Typography variant="h1" sx={{ mb: 2 }}>
            {t("run.title", { name: m.title })}
          </Typography>
          <DeploymentChooser model={m} />
        </>
      )}
    </ModelRoute>
  );
}

function DeploymentChooser({ model }: { model: Model }) {
  const t = useT();
  const [params, setParams] = useSearchParams();
  const deployments = useQuery({
    queryKey: ["deployments", { model: model.name }],
    queryFn: () => listDeployments({ model: model.name }),
  });
  return (
    <QueryState query={deployments}>
      {({ items }) => {
        if (items.length === 0) {
          return (
            <Alert
              severity="info"
              action={
                <Can role="data_scientist">
                  <Button component={RouterLink} to={`/models/${model.name}/deploy`} color="inherit">
                    {t("model.deploy")}
                  </Button>
                </Can>
              }
            >
              {t("run.noDeployment")}
            </Alert>
          );
        }
        const wanted = Number(params.get("deployment"));
        const current = items.find((d) => d.id === wanted) ?? items[0];
        return (
          <Box>
            <FormField
              label={t("run.deployment")}
              help={t("run.pickDeployment")}
              value={current.id}
              onChange={(e) => setParams({ deployment: e.target.value }, { replace: true })}
              options={items.map((d) => ({ value: d.id, label: `${d.market} · ${d.name} (${servesLabel(d)})` }))}
              fullWidth={false}
              sx={{ mb: 2, minWidth: 360 }}
            />
            <RunForms key={current.id} model={model} deployment={current} />
          </Box>
        );
      }}
    </QueryState>
  );
}
