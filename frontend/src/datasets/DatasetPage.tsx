/**
 * One dataset at one version (`?version=`, the latest without it): what it is and where it came
 * from, how its file was read, its profile (asked for when missing), its rows; clean it, train on
 * it, upload a newer file; delete it (its owner and admins).
 */
import DeleteIcon from "@mui/icons-material/Delete";
import EditIcon from "@mui/icons-material/Edit";
import CleaningServicesIcon from "@mui/icons-material/CleaningServices";
import ModelTrainingIcon from "@mui/icons-material/ModelTraining";
import UploadFileIcon from "@mui/icons-material/UploadFile";
import { Alert, Box, Button, Link, MenuItem, Stack, Tab, Tabs, TextField, Typography } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link as RouterLink, useLocation, useNavigate, useParams, useSearchParams } from "react-router";
import { getDataset, getDatasetVersion } from "../api/client";
import type { Dataset } from "../api/types";
import { Can, useUser } from "../auth/session";
import { Facts } from "../components/Facts";
import { Section } from "../components/Section";
import { QueryState } from "../components/States";
import { useI18n } from "../i18n";
import { formatBytes } from "../lib/filePreview";
import { DatasetRows } from "./DatasetRows";
import { DeleteDatasetDialog, mayDeleteDataset } from "./DeleteDatasetDialog";
import { EditDatasetDialog } from "./EditDatasetDialog";
import { cleaningPath, datasetPath, trainPath, versionParam } from "./links";
import { ParseReportPanel } from "./ParseReportPanel";
import { ProfilePanel } from "./ProfilePanel";
import { UploadDatasetDialog } from "./UploadDatasetDialog";

/** The query of a dataset at a version (null: the latest); shared by the dataset and cleaning pages. */
export function useDataset(name: string, version: number | null) {
  return useQuery({
    queryKey: ["datasets", name, version ?? "latest"],
    queryFn: () => (version ? getDatasetVersion(name, version) : getDataset(name)),
  });
}

function Source({ d }: { d: Dataset }) {
  const { t } = useI18n();
  const source = d.source ?? { kind: "upload" };
  if (source.kind === "sql") {
    return (
      <>
        {t("datasets.source.sql", { connection: source.connection ?? "–" })}
        {source.query && (
          <Box component="pre" sx={{ m: 0, mt: 0.5, p: 1, bgcolor: "action.hover", borderRadius: 1, whiteSpace: "pre-wrap", fontSize: 12 }}>
            {source.query}
          </Box>
        )}
      </>
    );
  }
  return <>{t("datasets.source.upload", { file: d.filename, format: d.format.toUpperCase(), size: formatBytes(d.size) })}</>;
}

function VersionSelect({ d, onChange }: { d: Dataset; onChange: (v: number) => void }) {
  const { t } = useI18n();
  const versions = Array.from({ length: d.latest_version }, (_, i) => d.latest_version - i);
  return (
    <TextField
      select
      size="small"
      label={t("common.version")}
      value={d.version}
      onChange={(e) => onChange(Number(e.target.value))}
      sx={{ minWidth: 160 }}
      data-testid="version-select"
    >
      {versions.map((v) => (
        <MenuItem key={v} value={v}>
          {v === d.latest_version ? t("datasets.versionLatest", { n: v }) : t("common.versionN", { n: v })}
        </MenuItem>
      ))}
    </TextField>
  );
}

function Header({ d, onVersion, onUpload }: { d: Dataset; onVersion: (v: number) => void; onUpload: () => void }) {
  const { t, tn, when, locale } = useI18n();
  const user = useUser();
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const steps = d.steps?.length ?? 0;
  return (
    <>
      <Stack direction="row" sx={{ justifyContent: "space-between", alignItems: "flex-start", gap: 2, flexWrap: "wrap", mb: 2 }}>
        <Box>
          <Typography variant="h1">{d.name}</Typography>
          {d.description && (
            <Typography color="text.secondary" sx={{ mt: 0.5 }}>
              {d.description}
            </Typography>
          )}
        </Box>
        <Stack direction="row" spacing={1} sx={{ alignItems: "center", flexWrap: "wrap", rowGap: 1 }}>
          <VersionSelect d={d} onChange={onVersion} />
          <Can role="business_user">
            <Button variant="outlined" startIcon={<CleaningServicesIcon />} component={RouterLink} to={cleaningPath(d.name, d.version)}>
              {t("datasets.clean")}
            </Button>
            <Button variant="outlined" startIcon={<UploadFileIcon />} onClick={onUpload}>
              {t("datasets.upload.newVersion")}
            </Button>
          </Can>
          <Can role="data_scientist">
            <Button variant="contained" startIcon={<ModelTrainingIcon />} component={RouterLink} to={trainPath(d.name, d.version)}>
              {t("datasets.train")}
            </Button>
          </Can>
        </Stack>
      </Stack>
      <Section
        title={t("datasets.about")}
        action={
          <Stack direction="row" spacing={1}>
            <Can role="business_user">
              <Button size="small" startIcon={<EditIcon />} onClick={() => setEditing(true)}>
                {t("datasets.edit")}
              </Button>
            </Can>
            {mayDeleteDataset(user, d) && (
              <Button size="small" color="error" startIcon={<DeleteIcon />} onClick={() => setDeleting(true)}>
                {t("datasets.delete")}
              </Button>
            )}
          </Stack>
        }
      >
        <Facts
          perRow={2}
          testId="dataset-facts"
          items={[
            [t("common.owner"), d.owner],
            [t("field.visibility"), t(`visibility.${d.visibility}`)],
            [t("datasets.shape"), t("datasets.shapeValue", { rows: d.rows == null ? "–" : d.rows.toLocaleString(locale), columns: d.columns.length.toLocaleString(locale) })],
            [t("datasets.source"), <Source d={d} />],
            [t("common.created"), d.created_by ? t("datasets.createdBy", { when: when(d.created_at), who: d.created_by }) : when(d.created_at)],
            [
              t("datasets.steps"),
              steps ? (
                <Link component={RouterLink} to={cleaningPath(d.name, d.version)}>
                  {tn("datasets.stepsCount", steps)}
                </Link>
              ) : (
                t("datasets.noSteps")
              ),
            ],
            [t("datasets.sha"), <Box component="code" sx={{ fontSize: 12, wordBreak: "break-all" }}>{d.sha256.slice(0, 12)}</Box>],
          ]}
        />
      </Section>
      {editing && <EditDatasetDialog d={d} onClose={() => setEditing(false)} />}
      {deleting && <DeleteDatasetDialog d={d} onClose={() => setDeleting(false)} />}
    </>
  );
}

type TabName = "profile" | "data";

export function DatasetPage() {
  const { t } = useI18n();
  const { name = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const state = useLocation().state as { uploaded?: boolean; flash?: string } | null;
  const uploaded = !!state?.uploaded;
  const version = versionParam(params.get("version"));
  const query = useDataset(name, version);
  const [tab, setTab] = useState<TabName>("profile");
  const [uploading, setUploading] = useState(false);
  const chooseVersion = (v: number, latest: number) => {
    const next = new URLSearchParams(params);
    if (v === latest) next.delete("version");
    else next.set("version", String(v));
    setParams(next);
  };
  return (
    <QueryState query={query}>
      {(d) => (
        <Box>
          {uploaded && (
            <Alert severity="success" sx={{ mb: 2 }} data-testid="flash">
              {t("datasets.uploaded", { name: d.name, n: d.version })}
            </Alert>
          )}
          {state?.flash && (
            <Alert severity="success" sx={{ mb: 2 }} data-testid="flash">
              {state.flash}
            </Alert>
          )}
          <Header d={d} onVersion={(v) => chooseVersion(v, d.latest_version)} onUpload={() => setUploading(true)} />
          <Box sx={{ mb: 2 }}>
            <ParseReportPanel report={d.parse_report} expanded={uploaded} />
          </Box>
          <Tabs value={tab} onChange={(_e, v: TabName) => setTab(v)} sx={{ mb: 2, borderBottom: 1, borderColor: "divider" }}>
            <Tab value="profile" label={t("datasets.profile.title")} id="dataset-tab-profile" aria-controls="dataset-panel-profile" />
            <Tab value="data" label={t("datasets.data")} id="dataset-tab-data" aria-controls="dataset-panel-data" />
          </Tabs>
          <Box role="tabpanel" id={`dataset-panel-${tab}`} aria-labelledby={`dataset-tab-${tab}`}>
            {/* The profile stays mounted on the data tab: its request and progress carry on. */}
            <Box sx={{ display: tab === "profile" ? "block" : "none" }}>
              <ProfilePanel d={d} />
            </Box>
            {tab === "data" && <DatasetRows d={d} />}
          </Box>
          {uploading && (
            <UploadDatasetDialog
              name={d.name}
              onClose={() => setUploading(false)}
              onUploaded={() => {
                setUploading(false);
                navigate(datasetPath(d.name), { state: { uploaded: true } });
              }}
            />
          )}
        </Box>
      )}
    </QueryState>
  );
}
