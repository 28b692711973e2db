/** A model: its card, versions side by side, aliases, inputs and outputs, lineage, deployments, actions by role. */
import DownloadIcon from "@mui/icons-material/Download";
import { Alert, Box, Button, Chip, Grid, Link, Stack, TextField, Typography } from "@mui/material";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { Link as RouterLink, useLocation, useParams } from "react-router";
import { listDeployments, listVersions, setAlias, versionDownloadUrl } from "../api/client";
import type { ColumnSpec, Model, ModelVersion } from "../api/types";
import { Can } from "../auth/session";
import { DataTable, QueryTable } from "../components/DataTable";
import { Facts } from "../components/Facts";
import { FormDialog } from "../components/FormDialog";
import { FormField } from "../components/FormField";
import { Markdown } from "../components/Markdown";
import { Section } from "../components/Section";
import { QueryState } from "../components/States";
import { DeploymentLink } from "../deployments/DeploymentLink";
import { servesLabel, stateLabel } from "../deployments/labels";
import { useI18n, useT, type MessageKey } from "../i18n";
import { MarketsPanel } from "./MarketsPanel";
import { ArchivedNotice, EditSchemaButton, ModelActions } from "./ModelActions";
import { useRouteModel } from "./ModelRoute";
import { versionChoices } from "./versions";

/** The card without its first heading when that heading only repeats the page's title. */
export function withoutTitle(markdown: string, title: string): string {
  const match = /^\s*#\s+(.+)\n/.exec(markdown);
  return match && match[1].trim() === title.trim() ? markdown.slice(match[0].length) : markdown;
}

function fmtMetric(v: number | undefined): string {
  if (v === undefined) return "–";
  return Math.abs(v) >= 100 ? v.toFixed(1) : String(Math.round(v * 10000) / 10000);
}

/** One line of the comparison: a label, then a value per version. */
interface Line {
  key: string;
  label: string;
  value: (v: ModelVersion) => ReactNode;
}

export function VersionsSideBySide({ versions }: { versions: ModelVersion[] }) {
  const { t, day } = useI18n();
  const metrics = Array.from(new Set(versions.flatMap((v) => Object.keys(v.metrics)))).sort();
  const ordered = [...versions].sort((a, b) => a.version - b.version);
  const lines: Line[] = [
    ...(metrics.length
      ? metrics.map((m) => ({
          key: `metric:${m}`,
          label: m,
          value: (v: ModelVersion) => (
            <Box component="span" sx={{ fontVariantNumeric: "tabular-nums" }}>
              {fmtMetric(v.metrics[m])}
            </Box>
          ),
        }))
      : [{ key: "no-metrics", label: t("model.noMetrics"), value: () => "" }]),
    { key: "format", label: t("model.format"), value: (v) => `${v.flavor} / ${v.format}` },
    { key: "created", label: t("model.createdAt"), value: (v) => day(v.created_at) },
    { key: "description", label: t("register.versionDescription"), value: (v) => v.description },
  ];
  return (
    <Box sx={{ overflowX: "auto" }} tabIndex={0}>
      <DataTable
        testId="versions-table"
        rows={lines}
        rowKey={(line) => line.key}
        columns={[
          { label: t("model.metric"), rowHeader: true, cell: (line) => line.label },
          ...ordered.map((v) => ({
            label: (
              <>
                <Box sx={{ fontWeight: 700 }}>v{v.version}</Box>
                {(v.aliases ?? []).map((a) => (
                  <Chip key={a} label={a} size="small" color={a === "champion" ? "success" : "default"} sx={{ ml: 0.5 }} />
                ))}
              </>
            ),
            align: "right" as const,
            sx: { maxWidth: 240 },
            cell: (line: Line) => line.value(v),
          })),
        ]}
      />
    </Box>
  );
}

export function SchemaTable({ columns, caption }: { columns: ColumnSpec[]; caption: string }) {
  const t = useT();
  const range = (c: ColumnSpec) => {
    if (c.categories?.length) return c.categories.join(", ");
    if (c.minimum != null || c.maximum != null) return `${c.minimum ?? "…"} – ${c.maximum ?? "…"}`;
    return "";
  };
  return (
    <Box sx={{ mb: 2, overflowX: "auto" }} tabIndex={0}>
      <Typography variant="h3" component="h3" sx={{ mb: 0.5 }}>
        {caption}
      </Typography>
      <DataTable
        rows={columns}
        rowKey={(c) => c.name}
        columns={[
          {
            label: t("model.column"),
            cell: (c) => (
              <>
                <Box component="code">{c.name}</Box>
                {c.description && (
                  <Typography variant="body2" color="text.secondary">
                    {c.description}
                  </Typography>
                )}
              </>
            ),
          },
          { label: t("model.type"), cell: (c) => c.type },
          { label: t("model.range"), cell: range },
          { label: t("model.nullable"), cell: (c) => (c.nullable ? t("common.yes") : t("common.no")) },
        ]}
      />
    </Box>
  );
}

function MoveAliasDialog({ model, versions, onClose }: { model: Model; versions: ModelVersion[]; onClose: () => void }) {
  const t = useT();
  const client = useQueryClient();
  const [alias, setAliasName] = useState("champion");
  const [version, setVersion] = useState<number>(model.latest_version);
  const mutation = useMutation({
    mutationFn: () => setAlias(model.name, alias.trim(), version),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["model", model.name] });
      void client.invalidateQueries({ queryKey: ["versions", model.name] });
      void client.invalidateQueries({ queryKey: ["models"] });
      onClose();
    },
  });
  return (
    <FormDialog
      title={t("model.moveAlias")}
      onClose={onClose}
      action={mutation}
      submitLabel={t("common.save")}
      canSubmit={!!alias.trim()}
      width={360}
    >
      <TextField
        label={t("model.aliasName")}
        value={alias}
        onChange={(e) => setAliasName(e.target.value)}
        helperText={Object.entries(model.aliases ?? {})
          .map(([a, v]) => `${a} → v${v}`)
          .join(", ")}
      />
      <FormField
        label={t("model.aliasTarget")}
        value={version}
        onChange={(e) => setVersion(Number(e.target.value))}
        options={versionChoices(versions)}
      />
    </FormDialog>
  );
}

function Deployments({ model }: { model: string }) {
  const t = useT();
  const q = useQuery({ queryKey: ["deployments", { model }], queryFn: () => listDeployments({ model }) });
  return (
    <QueryTable
      query={q}
      empty={t("model.noDeployments")}
      rows={(data) => data.items}
      rowKey={(d) => d.id}
      columns={[
        { label: t("common.market"), cell: (d) => d.market },
        { label: t("common.name"), cell: (d) => <DeploymentLink name={d.name} /> },
        { label: t("deployments.serves"), cell: servesLabel },
        { label: t("common.status"), cell: (d) => stateLabel(d, t) },
      ]}
    />
  );
}

function Lineage({ name, version }: { name: string; version: ModelVersion }) {
  const { t, when } = useI18n();
  return (
    <Section title={`${t("model.lineage")} (v${version.version})`}>
      <Facts
        testId="lineage"
        items={[
          [t("model.sourceVersion"), version.source_version ?? "–"],
          [t("model.trainingData"), version.training_data ?? "–"],
          [t("model.createdBy"), version.created_by],
          [t("model.createdAt"), when(version.created_at)],
          [
            t("model.format"),
            <>
              {version.model_type} ({version.format}){" "}
              <Chip
                size="small"
                label={version.safe_format ? t("model.safe") : t("model.unsafe")}
                color={version.safe_format ? "success" : "warning"}
                variant="outlined"
              />
            </>,
          ],
          [
            t("model.sha"),
            <Box component="code" sx={{ fontSize: 12 }}>
              {version.artifact.sha256.slice(0, 16)}…
            </Box>,
          ],
        ]}
      />
      <Button size="small" startIcon={<DownloadIcon />} component={Link} href={versionDownloadUrl(name, version.version)} sx={{ mt: 1 }}>
        {t("model.download")} {version.filename}
      </Button>
    </Section>
  );
}

export function ModelPage() {
  const { t, when } = useI18n();
  const { name = "" } = useParams();
  const model = useRouteModel();
  const versions = useQuery({ queryKey: ["versions", name], queryFn: () => listVersions(name) });
  const [selected, setSelected] = useState<number | null>(null);
  const [aliasOpen, setAliasOpen] = useState(false);
  const flash = (useLocation().state as { flash?: string } | null)?.flash;

  return (
    <QueryState query={model}>
      {(m) => {
        const list = versions.data ?? [];
        const aliases = m.aliases ?? {};
        const current = list.find((v) => v.version === (selected ?? aliases.champion ?? m.latest_version)) ?? list[0];
        return (
          <Box>
            {flash && (
              <Alert severity="success" sx={{ mb: 2 }} data-testid="flash">
                {flash}
              </Alert>
            )}
            <ArchivedNotice model={m} />
            <Stack direction="row" sx={{ justifyContent: "space-between", alignItems: "flex-start", mb: 2, gap: 2 }}>
              <Box>
                <Typography variant="h1">{m.title}</Typography>
                <Typography color="text.secondary">
                  {m.name} · {m.department} · {t("common.owner")}: {m.owner}
                </Typography>
                <Stack direction="row" spacing={0.5} useFlexGap sx={{ mt: 1, flexWrap: "wrap" }}>
                  {m.markets.map((mk) => (
                    <Chip key={mk} label={mk} size="small" color="primary" variant="outlined" />
                  ))}
                  {(m.flavors ?? []).map((f) => (
                    <Chip key={f} label={f} size="small" />
                  ))}
                </Stack>
              </Box>
              <Stack direction="row" spacing={1} sx={{ flexShrink: 0 }}>
                <Can role="business_user">
                  <Button variant="contained" component={RouterLink} to={`/models/${m.name}/run`} disabled={m.version_count === 0}>
                    {t("model.run")}
                  </Button>
                </Can>
                <Can role="data_scientist">
                  <Button variant="outlined" component={RouterLink} to={`/models/${m.name}/deploy`} disabled={m.version_count === 0 || m.state === "archived"}>
                    {t("model.deploy")}
                  </Button>
                  <Button variant="outlined" component={RouterLink} to={`/models/${m.name}/versions/new`}>
                    {t("model.newVersion")}
                  </Button>
                  <Button variant="outlined" onClick={() => setAliasOpen(true)} disabled={list.length === 0}>
                    {t("model.moveAlias")}
                  </Button>
                </Can>
                <ModelActions model={m} />
              </Stack>
            </Stack>
            <Grid container spacing={2}>
              <Grid size={{ xs: 12, lg: 8 }}>
                <Section title={t("model.card")}>
                  <Markdown>{withoutTitle(m.description || "", m.title)}</Markdown>
                </Section>
                <Section title={t("model.compare")}>
                  <QueryState query={versions} isEmpty={(l) => l.length === 0} empty={t("model.empty")}>
                    {(l) => <VersionsSideBySide versions={l} />}
                  </QueryState>
                </Section>
                {current && (
                  <Section
                    title={t("model.schema")}
                    action={
                      <Stack direction="row" spacing={1} sx={{ alignItems: "center" }}>
                        <EditSchemaButton model={m} version={current} />
                        <FormField
                          label={t("model.selectVersion")}
                          value={current.version}
                          onChange={(e) => setSelected(Number(e.target.value))}
                          options={versionChoices(list)}
                          fullWidth={false}
                          sx={{ minWidth: 160 }}
                        />
                      </Stack>
                    }
                  >
                    <SchemaTable columns={current.input_schema.columns ?? []} caption={t("model.inputs")} />
                    <SchemaTable columns={current.output_schema.columns ?? []} caption={t("model.outputs")} />
                  </Section>
                )}
              </Grid>
              <Grid size={{ xs: 12, lg: 4 }}>
                <Section title={t("model.info")}>
                  <Facts
                    items={[
                      [t("model.useCase"), m.use_case ?? "–"],
                      [t("common.department"), m.department],
                      [t("model.brands"), m.brands.join(", ") || "–"],
                      [t("model.tags"), m.tags.join(", ") || "–"],
                      [t("model.visibility"), t(`visibility.${m.visibility}` as MessageKey)],
                      [t("common.owner"), m.owner],
                      [t("common.updated"), when(m.updated_at)],
                    ]}
                  />
                </Section>
                <Section title={t("model.aliases")}>
                  {Object.keys(aliases).length === 0 ? (
                    <Typography color="text.secondary">{t("model.noAliases")}</Typography>
                  ) : (
                    <Stack direction="row" spacing={1} useFlexGap sx={{ flexWrap: "wrap" }} data-testid="aliases">
                      {Object.entries(aliases).map(([a, v]) => (
                        <Chip key={a} label={`${a} → v${v}`} color={a === "champion" ? "success" : "default"} />
                      ))}
                    </Stack>
                  )}
                </Section>
                {current && <Lineage name={m.name} version={current} />}
                <MarketsPanel model={m} />
                <Section title={t("model.deployments")}>
                  <Deployments model={m.name} />
                </Section>
              </Grid>
            </Grid>
            {aliasOpen && <MoveAliasDialog model={m} versions={list} onClose={() => setAliasOpen(false)} />}
          </Box>
        );
      }}
    </QueryState>
  );
}
