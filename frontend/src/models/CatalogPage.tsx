/** The catalog: instant search, facet filters with counts, cards or table, pages; the URL keeps it all. */
import ClearIcon from "@mui/icons-material/Clear";
import GridViewIcon from "@mui/icons-material/GridView";
import SearchIcon from "@mui/icons-material/Search";
import TableRowsIcon from "@mui/icons-material/TableRows";
import {
  Alert,
  Box,
  Button,
  Card,
  CardActionArea,
  CardContent,
  Checkbox,
  Chip,
  FormControlLabel,
  FormGroup,
  Grid,
  IconButton,
  InputAdornment,
  MenuItem,
  Pagination,
  Stack,
  TextField,
  ToggleButton,
  ToggleButtonGroup,
  Typography,
} from "@mui/material";
import { DataGrid, type GridColDef } from "@mui/x-data-grid";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { Link as RouterLink, useLocation, useNavigate, useSearchParams } from "react-router";
import { searchModels } from "../api/client";
import type { FacetCount, Model } from "../api/types";
import { ErrorState, EmptyState, Loading } from "../components/States";
import { useDebounced } from "../lib/useDebounced";
import { useI18n, useT, type MessageKey } from "../i18n";
import { FACETS, fromUrl, summary, toggleValue, withParam, type Facet, type SearchParams } from "./catalogQuery";

function FacetGroup({
  facet,
  counts,
  selected,
  onToggle,
}: {
  facet: Facet;
  counts: FacetCount[];
  selected: string[];
  onToggle: (value: string) => void;
}) {
  const t = useT();
  const [all, setAll] = useState(false);
  const merged = [...counts];
  for (const s of selected) if (!merged.some((c) => c.value === s)) merged.push({ value: s, count: 0 });
  if (!merged.length) return null;
  const shown = all ? merged : merged.slice(0, 6);
  const label = t(`catalog.facet.${facet}` as MessageKey);
  return (
    <Box component="fieldset" sx={{ border: 0, p: 0, m: 0, mb: 2 }}>
      <Typography component="legend" variant="h4" sx={{ mb: 0.5 }}>
        {label}
      </Typography>
      <FormGroup>
        {shown.map((c) => (
          <FormControlLabel
            key={c.value}
            control={
              <Checkbox size="small" checked={selected.includes(c.value)} onChange={() => onToggle(c.value)} sx={{ py: 0.25 }} />
            }
            label={
              <Box component="span" sx={{ display: "flex", gap: 1 }}>
                <span>{c.value}</span>
                <Box component="span" sx={{ color: "text.secondary" }}>
                  ({c.count})
                </Box>
              </Box>
            }
          />
        ))}
      </FormGroup>
      {merged.length > 6 && (
        <Button size="small" onClick={() => setAll(!all)} aria-expanded={all}>
          {all ? "−" : `+${merged.length - 6}`}
        </Button>
      )}
    </Box>
  );
}

function ModelCard({ model }: { model: Model }) {
  const { t, tn } = useI18n();
  return (
    <Card sx={{ height: "100%" }} data-testid="model-card">
      <CardActionArea component={RouterLink} to={`/models/${model.name}`} sx={{ height: "100%", alignItems: "stretch" }}>
        <CardContent>
          <Typography variant="h3" component="h2">
            {model.title}
          </Typography>
          <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
            {model.name} · {model.department} · {tn("catalog.versions", model.version_count)}
          </Typography>
          <Typography variant="body2" sx={{ mb: 1.5, minHeight: 60 }}>
            {model.use_case ? `${model.use_case}. ` : ""}
            {summary(model.description, 140)}
          </Typography>
          <Stack direction="row" spacing={0.5} useFlexGap sx={{ flexWrap: "wrap" }}>
            {model.markets.slice(0, 5).map((m) => (
              <Chip key={m} label={m} size="small" color="primary" variant="outlined" />
            ))}
            {(model.flavors ?? []).map((f) => (
              <Chip key={f} label={f} size="small" />
            ))}
            {model.state === "archived" && <Chip label={t("model.archived")} size="small" color="warning" />}
            {model.aliases?.champion !== undefined && (
              <Chip label={`champion v${model.aliases.champion}`} size="small" color="success" variant="outlined" />
            )}
          </Stack>
        </CardContent>
      </CardActionArea>
    </Card>
  );
}

function ModelTable({ models }: { models: Model[] }) {
  const { t, day } = useI18n();
  const navigate = useNavigate();
  const columns: GridColDef<Model>[] = [
    {
      field: "title",
      headerName: t("catalog.col.title"),
      flex: 2,
      renderCell: (p) => (
        <Box component={RouterLink} to={`/models/${p.row.name}`} sx={{ color: "primary.main", fontWeight: 600 }}>
          {p.row.title}
        </Box>
      ),
    },
    { field: "department", headerName: t("common.department"), flex: 1 },
    { field: "markets", headerName: t("catalog.col.markets"), flex: 1, valueGetter: (_v, row) => row.markets.join(", ") },
    { field: "flavors", headerName: t("catalog.col.flavors"), flex: 1, valueGetter: (_v, row) => (row.flavors ?? []).join(", ") },
    { field: "latest_version", headerName: t("catalog.col.latest"), width: 90, valueFormatter: (v) => `v${v}` },
    { field: "owner", headerName: t("common.owner"), flex: 1 },
    {
      field: "updated_at",
      headerName: t("common.updated"),
      flex: 1,
      valueFormatter: (v: string) => day(v),
    },
  ];
  return (
    <Box data-testid="model-table">
      <DataGrid
        rows={models}
        columns={columns}
        getRowId={(r) => r.id}
        hideFooter
        disableRowSelectionOnClick
        autoHeight
        density="compact"
        onRowDoubleClick={(p) => void navigate(`/models/${p.row.name}`)}
      />
    </Box>
  );
}

export function CatalogPage() {
  const { t, tn } = useI18n();
  const flash = (useLocation().state as { flash?: string } | null)?.flash;
  const [params, setParams] = useSearchParams();
  const query = fromUrl(params);
  const [text, setText] = useState(query.q ?? "");
  const debounced = useDebounced(text, 250);

  // Typing updates the URL (replace: one history entry per search, not per key) after a short pause.
  useEffect(() => {
    if ((params.get("q") ?? "") !== debounced.trim()) {
      const next = withParam(params, "q", debounced.trim() || null);
      next.delete("sort");
      setParams(next, { replace: true });
    }
  }, [debounced]); // only the debounced text drives this; params is read, not watched

  const { view, ...search } = query;
  const searchKey: SearchParams = search;
  const result = useQuery({
    queryKey: ["models", "search", searchKey],
    queryFn: () => searchModels(searchKey),
    placeholderData: keepPreviousData,
  });
  const facets = result.data?.facets ?? {};
  const totalPages = result.data ? Math.max(1, Math.ceil(result.data.total / (search.page_size ?? 12))) : 1;
  const anyFilter = FACETS.some((f) => params.getAll(f).length) || !!query.q || !!query.state;
  const sorts = useMemo(
    () => (["relevance", "-updated", "name", "-created"] as const).filter((s) => s !== "relevance" || !!query.q),
    [query.q],
  );

  return (
    <Box>
      {flash && (
        <Alert severity="success" sx={{ mb: 2 }} data-testid="flash">
          {flash}
        </Alert>
      )}
      <Typography variant="h1" sx={{ mb: 2 }}>
        {t("catalog.title")}
      </Typography>
      <Stack direction="row" spacing={2} sx={{ mb: 2, alignItems: "center" }}>
        <TextField
          label={t("catalog.searchLabel")}
          placeholder={t("catalog.searchPlaceholder")}
          value={text}
          onChange={(e) => setText(e.target.value)}
          type="search"
          sx={{ flexGrow: 1 }}
          size="medium"
          slotProps={{
            input: {
              startAdornment: (
                <InputAdornment position="start">
                  <SearchIcon aria-hidden />
                </InputAdornment>
              ),
              endAdornment: text ? (
                <InputAdornment position="end">
                  <IconButton aria-label={t("common.clearFilters")} onClick={() => setText("")} size="small">
                    <ClearIcon fontSize="small" />
                  </IconButton>
                </InputAdornment>
              ) : undefined,
            },
            htmlInput: { "data-testid": "catalog-search" },
          }}
        />
        <TextField
          select
          label={t("catalog.sort")}
          value={query.sort}
          onChange={(e) => setParams(withParam(params, "sort", e.target.value))}
          sx={{ minWidth: 200 }}
        >
          {sorts.map((s) => (
            <MenuItem key={s} value={s}>
              {t(`catalog.sort.${s}` as MessageKey)}
            </MenuItem>
          ))}
        </TextField>
        <ToggleButtonGroup
          exclusive
          size="small"
          value={view}
          aria-label={t("catalog.view")}
          onChange={(_e, v: string | null) => v && setParams(withParam(params, "view", v === "cards" ? null : v), { replace: true })}
        >
          <ToggleButton value="cards" aria-label={t("catalog.cards")}>
            <GridViewIcon fontSize="small" />
          </ToggleButton>
          <ToggleButton value="table" aria-label={t("catalog.table")}>
            <TableRowsIcon fontSize="small" />
          </ToggleButton>
        </ToggleButtonGroup>
      </Stack>
      <Grid container spacing={3}>
        <Grid size={{ xs: 12, md: 3, lg: 2.5 }} component="aside" aria-label={t("catalog.filters")}>
          <Stack direction="row" sx={{ justifyContent: "space-between", alignItems: "center", mb: 1 }}>
            <Typography variant="h3" component="h2">
              {t("catalog.filters")}
            </Typography>
            {anyFilter && (
              <Button
                size="small"
                onClick={() => {
                  setText("");
                  const keep = new URLSearchParams();
                  if (view === "table") keep.set("view", "table");
                  setParams(keep);
                }}
              >
                {t("common.clearFilters")}
              </Button>
            )}
          </Stack>
          <FormControlLabel
            sx={{ mb: 1 }}
            control={
              <Checkbox
                size="small"
                checked={query.state === "all"}
                onChange={(e) => setParams(withParam(params, "state", e.target.checked ? "all" : null))}
              />
            }
            label={t("catalog.withArchived")}
          />
          {FACETS.map((f) => (
            <FacetGroup
              key={f}
              facet={f}
              counts={facets[f] ?? []}
              selected={params.getAll(f)}
              onToggle={(v) => setParams(toggleValue(params, f, v))}
            />
          ))}
        </Grid>
        <Grid size={{ xs: 12, md: 9, lg: 9.5 }}>
          {result.isPending ? (
            <Loading />
          ) : result.isError ? (
            <ErrorState error={result.error} onRetry={() => void result.refetch()} />
          ) : (
            <>
              <Typography color="text.secondary" sx={{ mb: 1 }} role="status" data-testid="catalog-count">
                {tn("catalog.results", result.data.total)}
              </Typography>
              {result.data.items.length === 0 ? (
                <EmptyState>{anyFilter ? t("catalog.empty") : t("catalog.emptyAll")}</EmptyState>
              ) : view === "table" ? (
                <ModelTable models={result.data.items} />
              ) : (
                <Grid container spacing={2}>
                  {result.data.items.map((m) => (
                    <Grid key={m.id} size={{ xs: 12, sm: 6, xl: 4 }}>
                      <ModelCard model={m} />
                    </Grid>
                  ))}
                </Grid>
              )}
              {totalPages > 1 && (
                <Pagination
                  sx={{ mt: 3, display: "flex", justifyContent: "center" }}
                  count={totalPages}
                  page={search.page ?? 1}
                  onChange={(_e, p) => setParams(withParam(params, "page", p === 1 ? null : String(p)))}
                />
              )}
            </>
          )}
        </Grid>
      </Grid>
    </Box>
  );
}
