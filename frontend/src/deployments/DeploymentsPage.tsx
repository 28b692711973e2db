/** Every deployment, with its state and schedule; pause and resume for data scientists. */
import {
  Alert,
  Box,
  Button,
  Chip,
  Link,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from "@mui/material";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link as RouterLink, useSearchParams } from "react-router";
import { listDeployments, pauseDeployment, resumeDeployment } from "../api/client";
import { describeError } from "../api/errors";
import type { Deployment } from "../api/types";
import { Can, useCan } from "../auth/session";
import { QueryState } from "../components/States";
import { describeCron } from "../lib/cron";
import { useI18n, useT } from "../i18n";

function PauseResume({ d }: { d: Deployment }) {
  const t = useT();
  const client = useQueryClient();
  const paused = d.state === "paused";
  const mutation = useMutation({
    mutationFn: () => (paused ? resumeDeployment(d.id) : pauseDeployment(d.id)),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["deployments"] }),
  });
  return (
    <>
      <Button size="small" onClick={() => mutation.mutate()} disabled={mutation.isPending}>
        {paused ? t("deployments.resume") : t("deployments.pause")}
      </Button>
      {mutation.isError && (
        <Typography color="error" variant="body2" role="alert">
          {describeError(mutation.error, t)}
        </Typography>
      )}
    </>
  );
}

export function DeploymentsPage() {
  const { t, locale } = useI18n();
  const [params] = useSearchParams();
  const created = params.get("created");
  const canRun = useCan("business_user");
  const q = useQuery({ queryKey: ["deployments", "all"], queryFn: () => listDeployments({}) });
  return (
    <Box>
      <Typography variant="h1" sx={{ mb: 2 }}>
        {t("deployments.title")}
      </Typography>
      {created && (
        <Alert severity="success" sx={{ mb: 2 }}>
          {t("deploy.done", { name: created })}
        </Alert>
      )}
      <QueryState query={q} notAvailable isEmpty={(d) => d.items.length === 0} empty={t("deployments.empty")}>
        {(data) => (
          <Table size="small" data-testid="deployments-table">
            <TableHead>
              <TableRow>
                <TableCell>{t("common.name")}</TableCell>
                <TableCell>{t("deployments.model")}</TableCell>
                <TableCell>{t("common.market")}</TableCell>
                <TableCell>{t("deployments.serves")}</TableCell>
                <TableCell>{t("deployments.schedule")}</TableCell>
                <TableCell>{t("common.status")}</TableCell>
                <TableCell>{t("common.actions")}</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {data.items.map((d) => (
                <TableRow key={d.id}>
                  <TableCell>{d.name}</TableCell>
                  <TableCell>
                    <Link component={RouterLink} to={`/models/${d.model}`}>
                      {d.model}
                    </Link>
                  </TableCell>
                  <TableCell>{d.market}</TableCell>
                  <TableCell>{d.alias ? `${d.alias}${d.resolved_version ? ` (v${d.resolved_version})` : ""}` : `v${d.version}`}</TableCell>
                  <TableCell>
                    {d.schedule ? `${describeCron(d.schedule.cron, t)} (${d.schedule.timezone})` : t("deployments.noSchedule")}
                    {d.schedule && d.next_run_at && d.state !== "paused" && (
                      <Typography variant="body2" color="text.secondary">
                        {t("deployments.nextRun", { when: new Date(d.next_run_at).toLocaleString(locale) })}
                      </Typography>
                    )}
                  </TableCell>
                  <TableCell>
                    <Chip
                      size="small"
                      label={d.state === "paused" ? t("deployments.state.paused") : t("deployments.state.active")}
                      color={d.state === "paused" ? "default" : "success"}
                      variant="outlined"
                    />
                  </TableCell>
                  <TableCell>
                    {canRun && (
                      <Button size="small" component={RouterLink} to={`/models/${d.model}/run?deployment=${d.id}`}>
                        {t("model.run")}
                      </Button>
                    )}
                    <Can role="data_scientist">
                      <PauseResume d={d} />
                    </Can>
                    <Button size="small" component={RouterLink} to={`/runs?deployment=${d.id}`}>
                      {t("nav.runs")}
                    </Button>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </QueryState>
    </Box>
  );
}
