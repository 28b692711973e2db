/** Home: what is in the catalog, where it is used, what runs and what fails. */
import {
  Box,
  Card,
  CardContent,
  Grid,
  Link,
  List,
  ListItem,
  ListItemText,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link as RouterLink } from "react-router";
import { getStats, listExecutions, searchModels } from "../api/client";
import { useUser } from "../auth/session";
import { ErrorState, isNotAvailable, Loading } from "../components/States";
import { useI18n } from "../i18n";
import { mapFromCells } from "./stats";

function StatCard({ label, value, hint, testId }: { label: string; value: ReactNode; hint?: string; testId: string }) {
  return (
    <Card sx={{ height: "100%" }}>
      <CardContent>
        <Typography color="text.secondary" variant="body2">
          {label}
        </Typography>
        <Typography variant="h2" component="p" sx={{ fontSize: "2rem", mt: 0.5 }} data-testid={testId}>
          {value}
        </Typography>
        {hint && (
          <Typography variant="body2" color="text.secondary">
            {hint}
          </Typography>
        )}
      </CardContent>
    </Card>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Card sx={{ height: "100%" }}>
      <CardContent>
        <Typography variant="h2" component="h2" sx={{ mb: 1.5 }}>
          {title}
        </Typography>
        {children}
      </CardContent>
    </Card>
  );
}

export function HomePage() {
  const { t, locale } = useI18n();
  const user = useUser();
  const stats = useQuery({ queryKey: ["stats"], queryFn: getStats, refetchInterval: 30_000 });
  const recent = useQuery({
    queryKey: ["models", "recent"],
    queryFn: () => searchModels({ page_size: 6, sort: "-updated" }),
  });
  const failing = useQuery({
    queryKey: ["executions", "failed"],
    queryFn: () => listExecutions({ status: "failed", page_size: 5 }),
  });
  const dash = "–";
  const s = stats.data;
  const map = s ? mapFromCells(s.market_department) : null;
  const max = Math.max(1, ...(map?.cells.flat() ?? []));
  const runsActive = s ? s.runs_running + s.runs_queued : 0;

  return (
    <Box>
      <Typography variant="h1" sx={{ mb: 2 }}>
        {t("home.welcome", { name: user?.display_name || user?.username || "" })}
      </Typography>
      {stats.isError && <ErrorState error={stats.error} onRetry={() => void stats.refetch()} />}
      <Grid container spacing={2} sx={{ mb: 2 }}>
        <Grid size={{ xs: 6, md: 3 }}>
          <StatCard label={t("home.models")} value={s ? s.models : dash} testId="stat-models" />
        </Grid>
        <Grid size={{ xs: 6, md: 3 }}>
          <StatCard label={t("home.versions")} value={s ? s.versions : dash} testId="stat-versions" />
        </Grid>
        <Grid size={{ xs: 6, md: 3 }}>
          <StatCard
            label={t("home.deployments")}
            value={s ? s.deployments : dash}
            hint={s ? t("home.scheduled", { n: s.scheduled_deployments }) : undefined}
            testId="stat-deployments"
          />
        </Grid>
        <Grid size={{ xs: 6, md: 3 }}>
          <StatCard
            label={t("home.runsToday")}
            value={s ? s.runs_today : dash}
            hint={s && runsActive ? t("home.runsActive", { n: runsActive }) : undefined}
            testId="stat-runs"
          />
        </Grid>
      </Grid>
      <Grid container spacing={2}>
        <Grid size={{ xs: 12, lg: 8 }}>
          <Section title={t("home.map")}>
            {stats.isPending ? (
              <Loading />
            ) : !map ? null : map.cells.length === 0 ? (
              <Typography color="text.secondary">{t("home.noModels")}</Typography>
            ) : (
              <>
                <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
                  {t("home.mapHelp")}
                </Typography>
                <Box sx={{ overflowX: "auto" }} tabIndex={0}>
                  <Table size="small" aria-label={t("home.map")} data-testid="market-map">
                    <TableHead>
                      <TableRow>
                        <TableCell>{t("common.department")}</TableCell>
                        {map.markets.map((m) => (
                          <TableCell key={m} align="center" sx={{ fontWeight: 600 }}>
                            {m}
                          </TableCell>
                        ))}
                      </TableRow>
                    </TableHead>
                    <TableBody>
                      {map.departments.map((d, i) => (
                        <TableRow key={d}>
                          <TableCell component="th" scope="row" sx={{ fontWeight: 600 }}>
                            {d}
                          </TableCell>
                          {map.markets.map((m, j) => {
                            const n = map.cells[i][j];
                            return (
                              <TableCell
                                key={m}
                                align="center"
                                sx={{ bgcolor: n ? `rgba(31, 78, 121, ${0.1 + (0.5 * n) / max})` : undefined, p: 0 }}
                              >
                                {n ? (
                                  <Link
                                    component={RouterLink}
                                    to={`/models?department=${encodeURIComponent(d)}&market=${encodeURIComponent(m)}`}
                                    sx={{ display: "block", py: 0.75, color: "text.primary", fontWeight: 600 }}
                                    aria-label={`${d} ${m}: ${n}`}
                                  >
                                    {n}
                                  </Link>
                                ) : (
                                  <Box component="span" sx={{ color: "text.secondary" }} aria-hidden>
                                    ·
                                  </Box>
                                )}
                              </TableCell>
                            );
                          })}
                        </TableRow>
                      ))}
                    </TableBody>
                  </Table>
                </Box>
              </>
            )}
          </Section>
        </Grid>
        <Grid size={{ xs: 12, lg: 4 }}>
          <Section title={t("home.recent")}>
            {recent.isPending ? (
              <Loading />
            ) : recent.isError ? (
              <ErrorState error={recent.error} onRetry={() => void recent.refetch()} />
            ) : recent.data.items.length === 0 ? (
              <Typography color="text.secondary">{t("home.recentEmpty")}</Typography>
            ) : (
              <List dense disablePadding>
                {recent.data.items.map((m) => (
                  <ListItem key={m.name} disableGutters>
                    <ListItemText
                      primary={
                        <Link component={RouterLink} to={`/models/${m.name}`}>
                          {t("home.updatedModel", { title: m.title })}
                        </Link>
                      }
                      secondary={`${new Date(m.updated_at).toLocaleString(locale)} · ${m.owner}`}
                    />
                  </ListItem>
                ))}
              </List>
            )}
          </Section>
        </Grid>
        <Grid size={{ xs: 12, md: 6 }}>
          <Section title={t("home.failingNow")}>
            {failing.isPending ? (
              <Loading />
            ) : failing.isError ? (
              isNotAvailable(failing.error) ? (
                <Typography color="text.secondary">{t("home.noRuns")}</Typography>
              ) : (
                <ErrorState error={failing.error} onRetry={() => void failing.refetch()} />
              )
            ) : failing.data.items.length === 0 ? (
              <Typography color="text.secondary">{s && s.runs_today === 0 ? t("home.noRuns") : t("home.noFailures")}</Typography>
            ) : (
              <List dense disablePadding data-testid="failing-runs">
                {failing.data.items.map((r) => (
                  <ListItem key={r.id} disableGutters>
                    <ListItemText
                      primary={
                        <Link component={RouterLink} to={`/runs/${r.id}`}>
                          {t("runs.detailTitle", { id: r.id })} · {r.model} ({r.market})
                        </Link>
                      }
                      secondary={r.error ?? ""}
                    />
                  </ListItem>
                ))}
              </List>
            )}
          </Section>
        </Grid>
        <Grid size={{ xs: 12, md: 6 }}>
          <Section title={t("home.mostRun")}>
            {stats.isPending ? (
              <Loading />
            ) : !s ? null : s.most_run.length === 0 ? (
              <Typography color="text.secondary">{t("home.noRuns")}</Typography>
            ) : (
              <List dense disablePadding data-testid="most-run">
                {s.most_run.map((m) => (
                  <ListItem key={m.model} disableGutters>
                    <ListItemText
                      primary={
                        <Link component={RouterLink} to={`/models/${m.model}`}>
                          {m.title}
                        </Link>
                      }
                      secondary={t("home.runCount", { n: m.runs })}
                    />
                  </ListItem>
                ))}
              </List>
            )}
          </Section>
        </Grid>
      </Grid>
    </Box>
  );
}
