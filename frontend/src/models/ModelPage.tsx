/** A model: its card, versions side by side, aliases, inputs and outputs, lineage, deployments, actions by role. */
import DownloadIcon from "@mui/icons-material/Download";
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  Chip,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Grid,
  Link,
  MenuItem,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from "@mui/material";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { Link as RouterLink, useLocation, useParams } from "react-router";
import { getModel, listDeployments, listVersions, setAlias, versionDownloadUrl } from "../api/client";
import { describeError } from "../api/errors";
import type { ColumnSpec, Model, ModelVersion } from "../api/types";
import { Can } from "../auth/session";
import { Markdown } from "../components/Markdown";
import { EmptyState, ErrorState, isNotAvailable, Loading } from "../components/States";
import { useI18n, useT } from "../i18n";

function Section({ title, children, action }: { title: string; children: ReactNode; action?: ReactNode }) {
  return (
    <Card sx={{ mb: 2 }}>
      <CardContent>
        <Stack direction="row" sx={{ justifyContent: "space-between", alignItems: "center", mb: 1 }}>
          <Typography variant="h2" component="h2">
            {title}
          </Typography>
          {action}
        </Stack>
        {children}
      </CardContent>
    </Card>
  );
}

/** The card without its first heading when that heading only repeats the page's title. */
export function withoutTitle(markdown: string, title: string): string {
  const match = /^\s*#\s+(.+)\n/.exec(markdown);
  return match && match[1].trim() === title.trim() ? markdown.slice(match[0].length) : markdown;
}

function fmtMetric(v: number | undefined): string {
  if (v === undefined) return "–";
  return Math.abs(v) >= 100 ? v.toFixed(1) : String(Math.round(v * 10000) / 10000);
}

export function VersionsSideBySide({ versions }: { versions: ModelVersion[] }) {
  const { t, locale } = useI18n();
  const metrics = Array.from(new Set(versions.flatMap((v) => Object.keys(v.metrics)))).sort();
  const ordered = [...versions].sort((a, b) => a.version - b.version);
  return (
    <Box sx={{ overflowX: "auto" }} tabIndex={0}>
      <Table size="small" data-testid="versions-table">
        <TableHead>
          <TableRow>
            <TableCell>{t("model.metric")}</TableCell>
            {ordered.map((v) => (
              <TableCell key={v.version} align="right">
                <Box sx={{ fontWeight: 700 }}>v{v.version}</Box>
                {v.aliases.map((a) => (
                  <Chip key={a} label={a} size="small" color={a === "champion" ? "success" : "default"} sx={{ ml: 0.5 }} />
                ))}
              </TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {metrics.map((m) => {
            const values = ordered.map((v) => v.metrics[m]);
            return (
              <TableRow key={m}>
                <TableCell component="th" scope="row">
                  {m}
                </TableCell>
                {values.map((value, i) => (
                  <TableCell key={i} align="right" sx={{ fontVariantNumeric: "tabular-nums" }}>
                    {fmtMetric(value)}
                  </TableCell>
                ))}
              </TableRow>
            );
          })}
          {metrics.length === 0 && (
            <TableRow>
              <TableCell colSpan={ordered.length + 1}>{t("model.noMetrics")}</TableCell>
            </TableRow>
          )}
          <TableRow>
            <TableCell component="th" scope="row">
              {t("model.format")}
            </TableCell>
            {ordered.map((v) => (
              <TableCell key={v.version} align="right">
                {v.flavor} / {v.format}
              </TableCell>
            ))}
          </TableRow>
          <TableRow>
            <TableCell component="th" scope="row">
              {t("model.createdAt")}
            </TableCell>
            {ordered.map((v) => (
              <TableCell key={v.version} align="right">
                {new Date(v.created_at).toLocaleDateString(locale)}
              </TableCell>
            ))}
          </TableRow>
          <TableRow>
            <TableCell component="th" scope="row">
              {t("register.versionDescription")}
            </TableCell>
            {ordered.map((v) => (
              <TableCell key={v.version} align="right" sx={{ maxWidth: 240 }}>
                {v.description}
              </TableCell>
            ))}
          </TableRow>
        </TableBody>
      </Table>
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
      <Table size="small">
        <TableHead>
          <TableRow>
            <TableCell>{t("model.column")}</TableCell>
            <TableCell>{t("model.type")}</TableCell>
            <TableCell>{t("model.range")}</TableCell>
            <TableCell>{t("model.nullable")}</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {columns.map((c) => (
            <TableRow key={c.name}>
              <TableCell>
                <Box component="code">{c.name}</Box>
                {c.description && (
                  <Typography variant="body2" color="text.secondary">
                    {c.description}
                  </Typography>
                )}
              </TableCell>
              <TableCell>{c.type}</TableCell>
              <TableCell>{range(c)}</TableCell>
              <TableCell>{c.nullable ? t("common.yes") : t("common.no")}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Box>
  );
}

function MoveAliasDialog({
  model,
  versions,
  open,
  onClose,
}: {
  model: Model;
  versions: ModelVersion[];
  open: boolean;
  onClose: () => void;
}) {
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
    <Dialog open={open} onClose={onClose} aria-labelledby="move-alias-title">
      <DialogTitle id="move-alias-title">{t("model.moveAlias")}</DialogTitle>
      <DialogContent>
        <Stack spacing={2} sx={{ mt: 1, minWidth: 360 }}>
          {mutation.isError && <Alert severity="error">{describeError(mutation.error, t)}</Alert>}
          <TextField
            label={t("model.aliasName")}
            value={alias}
            onChange={(e) => setAliasName(e.target.value)}
            helperText={Object.entries(model.aliases)
              .map(([a, v]) => `${a} → v${v}`)
              .join(", ")}
          />
          <TextField
            select
            label={t("model.aliasTarget")}
            value={version}
            onChange={(e) => setVersion(Number(e.target.value))}
          >
            {versions.map((v) => (
              <MenuItem key={v.version} value={v.version}>
                v{v.version} {v.aliases.length ? `(${v.aliases.join(", ")})` : ""}
              </MenuItem>
            ))}
          </TextField>
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{t("common.cancel")}</Button>
        <Button variant="contained" onClick={() => mutation.mutate()} disabled={!alias.trim() || mutation.isPending}>
          {t("common.save")}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

function Deployments({ model }: { model: string }) {
  const t = useT();
  const q = useQuery({ queryKey: ["deployments", { model }], queryFn: () => listDeployments({ model }) });
  if (q.isPending) return <Loading />;
  if (q.isError) {
    if (isNotAvailable(q.error)) return <Typography color="text.secondary">{t("common.notAvailable")}</Typography>;
    return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  }
  if (q.data.items.length === 0) return <Typography color="text.secondary">{t("model.noDeployments")}</Typography>;
  return (
    <Table size="small">
      <TableHead>
        <TableRow>
          <TableCell>{t("common.market")}</TableCell>
          <TableCell>{t("common.name")}</TableCell>
          <TableCell>{t("deployments.serves")}</TableCell>
          <TableCell>{t("common.status")}</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {q.data.items.map((d) => (
          <TableRow key={d.id}>
            <TableCell>{d.market}</TableCell>
            <TableCell>{d.name}</TableCell>
            <TableCell>{d.alias ? `${d.alias}${d.resolved_version ? ` (v${d.resolved_version})` : ""}` : `v${d.version}`}</TableCell>
            <TableCell>{d.state === "paused" ? t("deployments.state.paused") : t("deployments.state.active")}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function Info({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Box sx={{ display: "grid", gridTemplateColumns: "140px 1fr", gap: 1, py: 0.5 }}>
      <Typography variant="body2" color="text.secondary" component="dt">
        {label}
      </Typography>
      <Typography variant="body2" component="dd" sx={{ m: 0, wordBreak: "break-word" }}>
        {children}
      </Typography>
    </Box>
  );
}

export function ModelPage() {
  const { t, locale } = useI18n();
  const { name = "" } = useParams();
  const model = useQuery({ queryKey: ["model", name], queryFn: () => getModel(name) });
  const versions = useQuery({ queryKey: ["versions", name], queryFn: () => listVersions(name) });
  const [selected, setSelected] = useState<number | null>(null);
  const [aliasOpen, setAliasOpen] = useState(false);
  const flash = (useLocation().state as { flash?: string } | null)?.flash;

  if (model.isPending) return <Loading />;
  if (model.isError) return <ErrorState error={model.error} onRetry={() => void model.refetch()} />;
  const m = model.data;
  const list = versions.data ?? [];
  const champion = m.aliases.champion;
  const current = list.find((v) => v.version === (selected ?? champion ?? m.latest_version)) ?? list[0];

  return (
    <Box>
      {flash && (
        <Alert severity="success" sx={{ mb: 2 }} data-testid="flash">
          {flash}
        </Alert>
      )}
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
            {m.flavors.map((f) => (
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
            <Button variant="outlined" component={RouterLink} to={`/models/${m.name}/deploy`} disabled={m.version_count === 0}>
              {t("model.deploy")}
            </Button>
            <Button variant="outlined" component={RouterLink} to={`/models/${m.name}/versions/new`}>
              {t("model.newVersion")}
            </Button>
            <Button variant="outlined" onClick={() => setAliasOpen(true)} disabled={list.length === 0}>
              {t("model.moveAlias")}
            </Button>
          </Can>
        </Stack>
      </Stack>
      <Grid container spacing={2}>
        <Grid size={{ xs: 12, lg: 8 }}>
          <Section title={t("model.card")}>
            <Markdown>{withoutTitle(m.description || "", m.title)}</Markdown>
          </Section>
          <Section title={t("model.compare")}>
            {versions.isPending ? (
              <Loading />
            ) : versions.isError ? (
              <ErrorState error={versions.error} onRetry={() => void versions.refetch()} />
            ) : list.length === 0 ? (
              <EmptyState>{t("model.empty")}</EmptyState>
            ) : (
              <VersionsSideBySide versions={list} />
            )}
          </Section>
          {current && (
            <Section
              title={t("model.schema")}
              action={
                <TextField
                  select
                  label={t("model.selectVersion")}
                  value={current.version}
                  onChange={(e) => setSelected(Number(e.target.value))}
                  sx={{ minWidth: 160 }}
                >
                  {list.map((v) => (
                    <MenuItem key={v.version} value={v.version}>
                      v{v.version} {v.aliases.length ? `(${v.aliases.join(", ")})` : ""}
                    </MenuItem>
                  ))}
                </TextField>
              }
            >
              <SchemaTable columns={current.input_schema.columns} caption={t("model.inputs")} />
              <SchemaTable columns={current.output_schema.columns} caption={t("model.outputs")} />
            </Section>
          )}
        </Grid>
        <Grid size={{ xs: 12, lg: 4 }}>
          <Section title={t("model.info")}>
            <Box component="dl" sx={{ m: 0 }}>
              <Info label={t("model.useCase")}>{m.use_case ?? "–"}</Info>
              <Info label={t("common.department")}>{m.department}</Info>
              <Info label={t("model.brands")}>{m.brands.join(", ") || "–"}</Info>
              <Info label={t("model.tags")}>{m.tags.join(", ") || "–"}</Info>
              <Info label={t("model.visibility")}>{m.visibility}</Info>
              <Info label={t("common.owner")}>{m.owner}</Info>
              <Info label={t("common.updated")}>{new Date(m.updated_at).toLocaleString(locale)}</Info>
            </Box>
          </Section>
          <Section title={t("model.aliases")}>
            {Object.keys(m.aliases).length === 0 ? (
              <Typography color="text.secondary">{t("model.noAliases")}</Typography>
            ) : (
              <Stack direction="row" spacing={1} useFlexGap sx={{ flexWrap: "wrap" }} data-testid="aliases">
                {Object.entries(m.aliases).map(([a, v]) => (
                  <Chip key={a} label={`${a} → v${v}`} color={a === "champion" ? "success" : "default"} />
                ))}
              </Stack>
            )}
          </Section>
          {current && (
            <Section title={`${t("model.lineage")} (v${current.version})`}>
              <Box component="dl" sx={{ m: 0 }} data-testid="lineage">
                <Info label={t("model.sourceVersion")}>{current.source_version ?? "–"}</Info>
                <Info label={t("model.trainingData")}>{current.training_data ?? "–"}</Info>
                <Info label={t("model.createdBy")}>{current.created_by}</Info>
                <Info label={t("model.createdAt")}>{new Date(current.created_at).toLocaleString(locale)}</Info>
                <Info label={t("model.format")}>
                  {current.model_type} ({current.format}){" "}
                  <Chip
                    size="small"
                    label={current.safe_format ? t("model.safe") : t("model.unsafe")}
                    color={current.safe_format ? "success" : "warning"}
                    variant="outlined"
                  />
                </Info>
                <Info label={t("model.sha")}>
                  <Box component="code" sx={{ fontSize: 12 }}>
                    {current.artifact.sha256.slice(0, 16)}…
                  </Box>
                </Info>
              </Box>
              <Button
                size="small"
                startIcon={<DownloadIcon />}
                component={Link}
                href={versionDownloadUrl(m.name, current.version)}
                sx={{ mt: 1 }}
              >
                {t("model.download")} {current.filename}
              </Button>
            </Section>
          )}
          <Section title={t("model.deployments")}>
            <Deployments model={m.name} />
          </Section>
        </Grid>
      </Grid>
      {aliasOpen && <MoveAliasDialog model={m} versions={list} open={aliasOpen} onClose={() => setAliasOpen(false)} />}
    </Box>
  );
}
