/**
 * Every dataset: instant search, a page of them at a time, and a new one from an uploaded file or
 * (data scientists) from a SQL query.
 */
import SearchIcon from "@mui/icons-material/Search";
import StorageIcon from "@mui/icons-material/Storage";
import UploadFileIcon from "@mui/icons-material/UploadFile";
import { Alert, Box, Button, InputAdornment, Link, Stack, TextField, Typography } from "@mui/material";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link as RouterLink, useLocation, useNavigate } from "react-router";
import { listDatasets } from "../api/client";
import { useCan } from "../auth/session";
import { DataTable } from "../components/DataTable";
import { Pager } from "../components/Pager";
import { EmptyState, ErrorState, Loading } from "../components/States";
import { useI18n } from "../i18n";
import { useDebounced } from "../lib/useDebounced";
import { datasetPath } from "./links";
import { SqlDatasetDialog } from "./SqlDatasetDialog";
import { UploadDatasetDialog } from "./UploadDatasetDialog";

export const DATASETS_PAGE_SIZE = 20;

export function DatasetsPage() {
  const { t, tn, when, locale } = useI18n();
  const navigate = useNavigate();
  const canUpload = useCan("business_user");
  const canQuery = useCan("data_scientist");
  const flash = (useLocation().state as { flash?: string } | null)?.flash;
  const [text, setText] = useState("");
  const q = useDebounced(text.trim(), 250);
  const [page, setPage] = useState(1);
  const [uploading, setUploading] = useState(false);
  const [querying, setQuerying] = useState(false);
  const list = useQuery({
    queryKey: ["datasets", "list", { q, page }],
    queryFn: () => listDatasets({ q: q || undefined, page, page_size: DATASETS_PAGE_SIZE }),
    placeholderData: keepPreviousData,
  });
  const uploadButton = canUpload && (
    <Button variant="contained" startIcon={<UploadFileIcon />} onClick={() => setUploading(true)}>
      {t("datasets.upload.open")}
    </Button>
  );
  const sqlButton = canQuery && (
    <Button variant="outlined" startIcon={<StorageIcon />} onClick={() => setQuerying(true)}>
      {t("datasets.sql.open")}
    </Button>
  );
  const number = (n: number | null | undefined) => (n === null || n === undefined ? "–" : n.toLocaleString(locale));

  let body;
  if (list.isPending) body = <Loading />;
  else if (list.isError) body = <ErrorState error={list.error} onRetry={() => void list.refetch()} />;
  else if (list.data.total === 0 && !q)
    body = (
      <EmptyState action={uploadButton || undefined}>
        {canUpload ? t("datasets.emptyInvite") : t("datasets.emptyViewer")}
      </EmptyState>
    );
  else if (list.data.items.length === 0) body = <EmptyState>{t("datasets.noMatch")}</EmptyState>;
  else
    body = (
      <>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
          {tn("datasets.count", list.data.total)}
        </Typography>
        <Box sx={{ overflowX: "auto" }}>
          <DataTable
            testId="datasets-table"
            label={t("datasets.title")}
            hover
            rows={list.data.items}
            rowKey={(d) => d.id}
            columns={[
              {
                label: t("common.name"),
                rowHeader: true,
                cell: (d) => (
                  <>
                    <Link component={RouterLink} to={datasetPath(d.name)} sx={{ fontWeight: 600 }}>
                      {d.name}
                    </Link>
                    {d.description && (
                      <Typography variant="body2" color="text.secondary" noWrap sx={{ maxWidth: 360 }}>
                        {d.description}
                      </Typography>
                    )}
                  </>
                ),
              },
              { label: t("common.version"), cell: (d) => t("common.versionN", { n: d.latest_version }) },
              { label: t("datasets.rows"), align: "right", cell: (d) => number(d.rows) },
              { label: t("datasets.columns"), align: "right", cell: (d) => number(d.columns) },
              { label: t("common.owner"), cell: (d) => d.owner },
              { label: t("common.updated"), cell: (d) => when(d.updated_at) },
            ]}
          />
        </Box>
        <Pager total={list.data.total} pageSize={DATASETS_PAGE_SIZE} page={page} onChange={setPage} />
      </>
    );

  return (
    <Box>
      <Stack direction="row" sx={{ justifyContent: "space-between", alignItems: "center", mb: 2, gap: 2, flexWrap: "wrap" }}>
        <Typography variant="h1">{t("datasets.title")}</Typography>
        <Stack direction="row" spacing={1}>
          {sqlButton}
          {uploadButton}
        </Stack>
      </Stack>
      {flash && (
        <Alert severity="success" sx={{ mb: 2 }} data-testid="flash">
          {flash}
        </Alert>
      )}
      <TextField
        label={t("datasets.searchLabel")}
        placeholder={t("datasets.searchPlaceholder")}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setPage(1);
        }}
        type="search"
        fullWidth
        sx={{ mb: 2 }}
        slotProps={{
          input: {
            startAdornment: (
              <InputAdornment position="start">
                <SearchIcon aria-hidden />
              </InputAdornment>
            ),
          },
        }}
      />
      {body}
      {uploading && (
        <UploadDatasetDialog
          onClose={() => setUploading(false)}
          onUploaded={(d) => navigate(datasetPath(d.name), { state: { uploaded: true } })}
        />
      )}
      {querying && (
        <SqlDatasetDialog
          onClose={() => setQuerying(false)}
          onCreated={(d) =>
            navigate(datasetPath(d.name), {
              state: { flash: t("datasets.sql.done", { name: d.name, n: d.version, connection: d.source?.connection ?? "–" }) },
            })
          }
        />
      )}
    </Box>
  );
}
