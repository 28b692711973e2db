/**
 * One training (/trainings/:id): status and progress against its budget, the leaderboard and the log
 * live while it runs (polled), cancel; once it succeeded, the evaluation on the holdout, its lineage
 * and "Register the best".
 */
import { Alert, Box, Button, LinearProgress, Link, Stack, Typography } from "@mui/material";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link as RouterLink, useParams } from "react-router";
import { cancelTraining, getTraining } from "../api/client";
import { TERMINAL_STATUSES, type Training } from "../api/types";
import { Can } from "../auth/session";
import { Facts } from "../components/Facts";
import { Section } from "../components/Section";
import { ErrorAlert, ErrorState, Loading } from "../components/States";
import { datasetPath } from "../datasets/links";
import { describeStep } from "../datasets/steps";
import { useI18n } from "../i18n";
import { LiveLog } from "../runs/LiveLog";
import { StatusChip } from "../runs/statusChip";
import { EvaluationPanel } from "./EvaluationPanel";
import { useLabels } from "./labels";
import { Leaderboard } from "./Leaderboard";
import { formatClock, formatScore } from "./metrics";
import { ChallengerTable, RegisterButton } from "./RegisterDialog";

/** How often a live training is asked for its progress and leaderboard. */
export const POLL_MS = 2000;

/** The time now, ticking every second while `live`. */
function useNow(live: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!live) return;
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, [live]);
  return now;
}

/** Seconds the search has run: to now while it runs, to its end once finished. */
export function elapsedSeconds(training: Pick<Training, "started_at" | "finished_at">, now: number): number {
  if (!training.started_at) return 0;
  const end = training.finished_at ? Date.parse(training.finished_at) : now;
  return Math.max(0, (end - Date.parse(training.started_at)) / 1000);
}

function Progress({ training, live }: { training: Training; live: boolean }) {
  const { t } = useI18n();
  const now = useNow(live);
  const elapsed = elapsedSeconds(training, now);
  const pct = Math.round(Math.min(1, Math.max(0, training.progress)) * 100);
  return (
    <Box sx={{ mb: 2 }}>
      <Stack direction="row" sx={{ justifyContent: "space-between", mb: 0.5 }}>
        <Typography variant="body2" color="text.secondary">
          {training.status === "queued" ? t("trainings.waiting") : `${pct} %`}
        </Typography>
        <Typography variant="body2" color="text.secondary" data-testid="training-clock">
          {t("trainings.elapsed", { elapsed: formatClock(elapsed), budget: formatClock(training.budget_s) })}
        </Typography>
      </Stack>
      <LinearProgress
        variant={training.status === "queued" ? "indeterminate" : "determinate"}
        value={pct}
        aria-label={t("trainings.progress")}
        color={training.status === "failed" ? "error" : training.status === "cancelled" ? "warning" : "primary"}
      />
    </Box>
  );
}

function Summary({ training }: { training: Training }) {
  const { t, when, locale } = useI18n();
  const { task, metric, candidate, seconds } = useLabels();
  const best = training.best;
  return (
    <Facts
      perRow={3}
      testId="training-summary"
      items={[
        [t("common.status"), <StatusChip status={training.status} />],
        [
          t("trainings.dataset"),
          <Link component={RouterLink} to={datasetPath(training.dataset, training.dataset_version)}>
            {training.dataset} {t("common.versionN", { n: training.dataset_version })}
          </Link>,
        ],
        [t("trainings.target"), training.target],
        // Detected when the search starts: until then, said to be pending.
        [t("trainings.task"), training.task ? task(training.task) : t("trainings.pending")],
        [t("trainings.metric"), training.metric ? metric(training.metric) : t("trainings.pending")],
        [t("trainings.budget"), seconds(training.budget_s)],
        [t("trainings.bestCandidate"), best ? `${candidate(best.candidate)} · ${formatScore(best.mean, locale)}` : "–"],
        [t("trainings.createdBy"), `${training.created_by} · ${when(training.created_at)}`],
        [t("trainings.finished"), when(training.finished_at)],
      ]}
    />
  );
}

function Lineage({ training }: { training: Training }) {
  const { t, tn, locale } = useI18n();
  const o = training.options;
  const value = (k: string) => (o[k] === null || o[k] === undefined ? "–" : Array.isArray(o[k]) ? (o[k] as unknown[]).join(", ") : String(o[k]));
  return (
    <>
      <Facts
        testId="training-lineage"
        items={[
          [t("trainings.dataset"), `${training.dataset} ${t("common.versionN", { n: training.dataset_version })}`],
          [t("trainings.datasetSha"), <code title={training.dataset_sha256}>{training.dataset_sha256.slice(0, 12)}</code>],
          [t("trainings.cleaning"), training.steps.length ? tn("trainings.stepCount", training.steps.length) : t("trainings.noSteps")],
          [t("trainings.folds"), value("folds")],
          [t("trainings.holdout"), value("holdout")],
          [t("trainings.seed"), value("seed")],
          [t("trainings.timeColumn"), value("time_column")],
          [t("trainings.codeVersion"), <code>{training.code_version}</code>],
          [t("trainings.mlflowRun"), training.mlflow_run_id ? <code>{training.mlflow_run_id}</code> : "–"],
          [t("trainings.execution"), <Link component={RouterLink} to={`/runs/${training.execution}`}>#{training.execution}</Link>],
        ]}
      />
      {training.steps.length > 0 && (
        <Box component="ol" sx={{ mt: 1, mb: 0, pl: 3 }} data-testid="training-steps">
          {training.steps.map((s, i) => (
            <Typography component="li" variant="body2" key={i}>
              {describeStep(s, t, locale)}
            </Typography>
          ))}
        </Box>
      )}
    </>
  );
}

export function TrainingPage() {
  const { t } = useI18n();
  const { id: idParam = "" } = useParams();
  const id = Number(idParam);
  const client = useQueryClient();
  const query = useQuery({
    queryKey: ["trainings", id],
    queryFn: () => getTraining(id),
    refetchInterval: (q) => (q.state.data && TERMINAL_STATUSES.includes(q.state.data.status) ? false : POLL_MS),
  });
  const cancel = useMutation({
    mutationFn: () => cancelTraining(id),
    onSuccess: (training) => {
      client.setQueryData(["trainings", id], training);
      void client.invalidateQueries({ queryKey: ["trainings"] });
    },
  });
  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  const training = query.data;
  const live = !TERMINAL_STATUSES.includes(training.status);
  const succeeded = training.status === "succeeded";
  const registered = training.registered ?? [];
  return (
    <Box>
      <Stack direction="row" sx={{ justifyContent: "space-between", alignItems: "center", mb: 2, gap: 2, flexWrap: "wrap" }}>
        <Typography variant="h1">{t("trainings.detailTitle", { id: training.id, target: training.target })}</Typography>
        <Stack direction="row" spacing={1}>
          {live && (
            <Can role="data_scientist">
              <Button color="warning" variant="outlined" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
                {t("trainings.cancel")}
              </Button>
            </Can>
          )}
          {succeeded && training.best && (
            <Can role="data_scientist">
              <RegisterButton training={training} />
            </Can>
          )}
        </Stack>
      </Stack>
      <ErrorAlert error={cancel.error} sx={{ mb: 2 }} />
      {training.status === "failed" && training.error && (
        <Alert severity="error" sx={{ mb: 2 }} data-testid="training-error">
          {training.error}
        </Alert>
      )}
      {registered.length > 0 && (
        <Alert severity="success" sx={{ mb: 2 }} data-testid="training-registered">
          {t("trainings.registeredAs")}{" "}
          {registered.map((r, i) => (
            <span key={`${r.model}-${r.version}`}>
              {i > 0 && ", "}
              <Link component={RouterLink} to={`/models/${encodeURIComponent(r.model)}`}>
                {r.model} {t("common.versionN", { n: r.version })}
              </Link>
            </span>
          ))}
        </Alert>
      )}
      <Section title={t("trainings.overview")}>
        <Progress training={training} live={live} />
        <Summary training={training} />
      </Section>
      <Section title={live ? t("trainings.leaderboardLive") : t("trainings.leaderboard")}>
        <Leaderboard entries={training.leaderboard} best={training.best} metric={training.metric} />
      </Section>
      {succeeded && training.evaluation && (
        <Section title={t("trainings.evaluation")}>
          <EvaluationPanel evaluation={training.evaluation} metric={training.metric} />
        </Section>
      )}
      {succeeded && training.challenger && (
        <Section title={t("trainings.challenger.title")}>
          <ChallengerTable report={training.challenger} />
        </Section>
      )}
      <Section title={t("trainings.lineage")}>
        <Lineage training={training} />
      </Section>
      <Section title={t("trainings.log")}>
        <LiveLog id={training.execution} live={live} />
      </Section>
    </Box>
  );
}
