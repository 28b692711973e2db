/**
 * A dataset version's cleaning steps: an ordered list to add to, reorder and prune, a live preview of
 * what they do (each step's effect, the first rows after them), the API's refusal shown on the step it
 * names, and Save (the steps are recorded on the version; a training replays them).
 */
import ArrowDownwardIcon from "@mui/icons-material/ArrowDownward";
import ArrowUpwardIcon from "@mui/icons-material/ArrowUpward";
import DeleteIcon from "@mui/icons-material/Delete";
import {
  Alert,
  Box,
  Button,
  Chip,
  CircularProgress,
  Grid,
  IconButton,
  Link,
  List,
  ListItem,
  Stack,
  Tooltip,
  Typography,
} from "@mui/material";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link as RouterLink, useNavigate, useParams, useSearchParams } from "react-router";
import { ApiError, previewCleaning, saveCleaning } from "../api/client";
import { describeError, plainReason } from "../api/errors";
import type { CleaningPreview, CleaningStep, Dataset } from "../api/types";
import { useCan } from "../auth/session";
import { Section } from "../components/Section";
import { ErrorAlert, QueryState } from "../components/States";
import { useI18n } from "../i18n";
import { useDebounced } from "../lib/useDebounced";
import { useDataset } from "./DatasetPage";
import { RowsTable } from "./DatasetRows";
import { datasetPath, versionParam } from "./links";
import { StepForm } from "./StepForm";
import { describeStep, move, removeAt, stepOfError } from "./steps";

/** How long the steps must stay unchanged before the preview is asked for again. */
export const PREVIEW_DELAY_MS = 400;

function StepItem({
  step,
  index,
  count,
  effect,
  error,
  editable,
  onMove,
  onRemove,
}: {
  step: CleaningStep;
  index: number;
  count: number;
  effect?: string;
  error?: string;
  editable: boolean;
  onMove: (by: -1 | 1) => void;
  onRemove: () => void;
}) {
  const { t, locale } = useI18n();
  const text = describeStep(step, t, locale);
  return (
    <ListItem
      data-testid="cleaning-step"
      divider
      sx={{ alignItems: "flex-start", gap: 1, borderLeft: 3, borderLeftColor: error ? "error.main" : "transparent" }}
    >
      <Chip size="small" label={index + 1} sx={{ mt: 0.25 }} />
      <Box sx={{ flexGrow: 1, minWidth: 0 }}>
        <Typography>{text}</Typography>
        {effect && (
          <Typography variant="body2" color="text.secondary" data-testid="step-effect">
            {effect}
          </Typography>
        )}
        {error && (
          <Typography variant="body2" color="error" role="alert" data-testid="step-error">
            {error}
          </Typography>
        )}
      </Box>
      {editable && (
        <Stack direction="row">
          <Tooltip title={t("datasets.clean.up")}>
            <span>
              <IconButton size="small" aria-label={t("datasets.clean.upStep", { n: index + 1 })} disabled={index === 0} onClick={() => onMove(-1)}>
                <ArrowUpwardIcon fontSize="small" />
              </IconButton>
            </span>
          </Tooltip>
          <Tooltip title={t("datasets.clean.down")}>
            <span>
              <IconButton size="small" aria-label={t("datasets.clean.downStep", { n: index + 1 })} disabled={index === count - 1} onClick={() => onMove(1)}>
                <ArrowDownwardIcon fontSize="small" />
              </IconButton>
            </span>
          </Tooltip>
          <Tooltip title={t("datasets.clean.remove")}>
            <IconButton size="small" aria-label={t("datasets.clean.removeStep", { n: index + 1 })} onClick={onRemove}>
              <DeleteIcon fontSize="small" />
            </IconButton>
          </Tooltip>
        </Stack>
      )}
    </ListItem>
  );
}

function Preview({ preview, fetching }: { preview: CleaningPreview | undefined; fetching: boolean }) {
  const { t, tn, locale } = useI18n();
  if (!preview) {
    return fetching ? <CircularProgress size={24} aria-label={t("datasets.clean.previewing")} /> : null;
  }
  const removed = preview.rows_before - preview.rows_after;
  return (
    <Box data-testid="cleaning-preview" sx={{ opacity: fetching ? 0.6 : 1 }}>
      <Typography sx={{ mb: 1 }} data-testid="preview-counts">
        {t("datasets.clean.rowsBeforeAfter", { before: preview.rows_before.toLocaleString(locale), after: preview.rows_after.toLocaleString(locale) })}
        {removed > 0 && ` · ${tn("datasets.clean.rowsRemoved", removed)}`}
        {` · ${tn("datasets.columnsCount", preview.columns.length)}`}
      </Typography>
      <RowsTable columns={preview.columns} rows={preview.rows} testId="preview-rows" />
      <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
        {tn("datasets.clean.firstRows", preview.rows.length)}
      </Typography>
    </Box>
  );
}

function sameSteps(a: readonly CleaningStep[], b: readonly CleaningStep[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function Editor({ d, version }: { d: Dataset; version: number | null }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const navigate = useNavigate();
  const canEdit = useCan("business_user");
  const [steps, setSteps] = useState<CleaningStep[]>(d.steps ?? []);
  const debounced = useDebounced(steps, PREVIEW_DELAY_MS);
  const preview = useQuery({
    queryKey: ["datasets", d.name, d.version, "preview", debounced],
    queryFn: () => previewCleaning(d.name, d.version, debounced),
    placeholderData: keepPreviousData,
    enabled: canEdit,
    retry: false,
    staleTime: 60_000,
  });
  const save = useMutation({
    mutationFn: () => saveCleaning(d.name, d.version, steps),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["datasets", d.name] });
      navigate(datasetPath(d.name, version), { state: { flash: t("datasets.clean.saved") } });
    },
  });
  const { reset } = save;
  useEffect(() => reset(), [steps, reset]);

  // The error to place: the save's, else the preview's while it is about the steps shown.
  const previewError = preview.isError && sameSteps(debounced, steps) ? preview.error : null;
  const error = save.error ?? previewError;
  const errorStep = stepOfError(error);
  const errorText =
    error instanceof ApiError && errorStep !== null ? plainReason(error.message, error.field, t) : null;
  const effects = preview.isError ? [] : (preview.data?.effects ?? []);
  const effectOf = (i: number) => effects.filter((e) => e.step === i).map((e) => e.message).join(" · ") || undefined;
  const columns = (!preview.isError && preview.data?.columns) || d.columns;
  const dirty = !sameSteps(steps, d.steps ?? []);

  return (
    <Grid container spacing={2}>
      <Grid size={{ xs: 12, lg: 5 }}>
        <Section title={t("datasets.clean.steps")}>
          {steps.length === 0 ? (
            <Typography color="text.secondary" data-testid="no-steps">
              {t("datasets.clean.noSteps")}
            </Typography>
          ) : (
            <List disablePadding data-testid="cleaning-steps">
              {steps.map((s, i) => (
                <StepItem
                  key={`${i}-${JSON.stringify(s)}`}
                  step={s}
                  index={i}
                  count={steps.length}
                  effect={effectOf(i)}
                  error={errorStep === i ? (errorText ?? undefined) : undefined}
                  editable={canEdit}
                  onMove={(by) => setSteps((prev) => move(prev, i, by))}
                  onRemove={() => setSteps((prev) => removeAt(prev, i))}
                />
              ))}
            </List>
          )}
          {error && errorStep === null && <ErrorAlert error={error} sx={{ mt: 2 }} />}
          {error && errorStep !== null && errorStep >= steps.length && (
            <Alert severity="error" sx={{ mt: 2 }}>
              {describeError(error, t)}
            </Alert>
          )}
        </Section>
        {canEdit ? (
          <>
            <Section title={t("datasets.clean.addStep")}>
              <StepForm columns={columns} onAdd={(s) => setSteps((prev) => [...prev, s])} />
            </Section>
            <Stack direction="row" spacing={1} sx={{ justifyContent: "flex-end" }}>
              <Button component={RouterLink} to={datasetPath(d.name, version)}>
                {t("common.cancel")}
              </Button>
              <Button variant="contained" onClick={() => save.mutate()} disabled={!dirty || save.isPending}>
                {t("datasets.clean.save")}
              </Button>
            </Stack>
          </>
        ) : (
          <Alert severity="info">{t("datasets.clean.readOnly")}</Alert>
        )}
      </Grid>
      <Grid size={{ xs: 12, lg: 7 }}>
        <Section title={t("datasets.clean.preview")}>
          {canEdit ? (
            <Preview preview={preview.isError ? undefined : preview.data} fetching={preview.isFetching} />
          ) : (
            <Typography color="text.secondary">{t("datasets.clean.previewReadOnly")}</Typography>
          )}
          {preview.isError && (
            <Typography color="text.secondary" sx={{ mt: 1 }}>
              {t("datasets.clean.previewBlocked")}
            </Typography>
          )}
        </Section>
      </Grid>
    </Grid>
  );
}

export function CleaningPage() {
  const { t } = useI18n();
  const { name = "" } = useParams();
  const [params] = useSearchParams();
  const version = versionParam(params.get("version"));
  const query = useDataset(name, version);
  return (
    <QueryState query={query}>
      {(d) => (
        <Box>
          <Typography variant="h1" sx={{ mb: 0.5 }}>
            {t("datasets.clean.title", { name: d.name })}
          </Typography>
          <Typography color="text.secondary" sx={{ mb: 2 }}>
            {t("datasets.clean.intro")}{" "}
            <Link component={RouterLink} to={datasetPath(d.name, version)}>
              {t("datasets.clean.backTo", { name: d.name, n: d.version })}
            </Link>
          </Typography>
          {/* Keyed by version: another version starts from its own recorded steps. */}
          <Editor key={`${d.name}@${d.version}`} d={d} version={version} />
        </Box>
      )}
    </QueryState>
  );
}
