/** Home: what is in the catalog, where it is used, what runs and what fails. */
import { Box, Card, CardContent, Grid, Link, List, ListItem, ListItemText, Typography } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link as RouterLink } from "react-router";
import { getStats, listExecutions, searchModels } from "../api/client";
import { useUser } from "../auth/session";
import { Section } from "../components/Section";
import { DataTable } from "../components/DataTable";
import { QueryState } from "../components/States";
import { useI18n } from "../i18n";
import { mapFromCells, type MarketMap } from "./stats";

/** Links with a second line: recent models, failing runs, most-run models. */
function LinkList<T>({ items, testId, link }: { items: T[]; testId?: string; link: (item: T) => { key: string | number; to: string; label: ReactNode; detail: ReactNode } }) {
  return (
    <List dense disablePadding data-testid={testId}>
      {items.map((item) => {
        const { key, to, label, detail } = link(item);
        return (
          <ListItem key={key} disableGutters>
            <ListItemText
              primary={
                <Link component={RouterLink} to={to}>
                  {label}
                </Link>
              }
              secondary={detail}
            />
          </ListItem>
        );
      })}
    </List>
  );
}

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

/** How many models each department has in each market; a cell links to the catalog so filtered. */
function MarketMapTable({ map }: { map: MarketMap }) {
  const { t } = useI18n();
  const max = Math.max(1, ...map.cells.flat());
  const rows = map.departments.map((department, i) => ({ department, counts: map.cells[i] }));
  return (
    <>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
        {t("home.mapHelp")}
      </Typography>
      <Box sx={{ overflowX: "auto" }} tabIndex={0}>
        <DataTable
          label={t("home.map")}
          testId="market-map"
          rows={rows}
          rowKey={(r) => r.department}
          columns={[
            { label: t("common.department"), rowHeader: true, sx: { fontWeight: 600 }, cell: (r) => r.department },
            ...map.markets.map((m, j) => ({
              label: m,
              align: "center" as const,
              headSx: { fontWeight: 600 },
              sx: { p: 0 },
              cell: ({ department: d, counts }: (typeof rows)[number]) =>
                counts[j] ? (
                  <Link
                    component={RouterLink}
                    to={`/models?department=${encodeURIComponent(d)}&market=${encodeURIComponent(m)}`}
                    sx={{ display: "block", py: 0.75, color: "text.primary", fontWeight: 600, bgcolor: `rgba(31, 78, 121, ${0.1 + (0.5 * counts[j]) / max})` }}
                    aria-label={`${d} ${m}: ${counts[j]}`}
                  >
                    {counts[j]}
                  </Link>
                ) : (
                  <Box component="span" sx={{ color: "text.secondary" }} aria-hidden>
                    ·
                  </Box>
                ),
            })),
          ]}
        />
      </Box>
    </>
  );
}

export function HomePage() {
  const { t, tn, when } = useI18n();
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
  const runsActive = s ? s.runs_running + s.runs_queued : 0;

  return (
    <Box>
      <Typography variant="h1" sx={{ mb: 2 }}>
        {t("home.welcome", { name: user?.display_name || user?.username || "" })}
      </Typography>
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
            hint={s ? tn("home.scheduled", s.scheduled_deployments) : undefined}
            testId="stat-deployments"
          />
        </Grid>
        <Grid size={{ xs: 6, md: 3 }}>
          <StatCard
            label={t("home.runsToday")}
            value={s ? s.runs_today : dash}
            hint={s && runsActive ? tn("home.runsActive", runsActive) : undefined}
            testId="stat-runs"
          />
        </Grid>
      </Grid>
      <Grid container spacing={2}>
        <Grid size={{ xs: 12, lg: 8 }}>
          <Section fill title={t("home.map")}>
            <QueryState query={stats} isEmpty={(st) => st.market_department.length === 0} empty={t("home.noModels")}>
              {(st) => <MarketMapTable map={mapFromCells(st.market_department)} />}
            </QueryState>
          </Section>
        </Grid>
        <Grid size={{ xs: 12, lg: 4 }}>
          <Section fill title={t("home.recent")}>
            <QueryState query={recent} isEmpty={(d) => d.items.length === 0} empty={t("home.recentEmpty")}>
              {(data) => (
                <LinkList
                  items={data.items}
                  link={(m) => ({
                    key: m.name,
                    to: `/models/${m.name}`,
                    label: t("home.updatedModel", { title: m.title }),
                    detail: `${when(m.updated_at)} · ${m.owner}`,
                  })}
                />
              )}
            </QueryState>
          </Section>
        </Grid>
        <Grid size={{ xs: 12, md: 6 }}>
          <Section fill title={t("home.failingNow")}>
            <QueryState
              query={failing}
              isEmpty={(d) => d.items.length === 0}
              empty={s && s.runs_today === 0 ? t("home.noRuns") : t("home.noFailures")}
            >
              {(data) => (
                <LinkList
                  testId="failing-runs"
                  items={data.items}
                  link={(r) => ({
                    key: r.id,
                    to: `/runs/${r.id}`,
                    label: `${t("runs.detailTitle", { id: r.id })} · ${r.model} (${r.market})`,
                    detail: r.error ?? "",
                  })}
                />
              )}
            </QueryState>
          </Section>
        </Grid>
        <Grid size={{ xs: 12, md: 6 }}>
          <Section fill title={t("home.mostRun")}>
            <QueryState query={stats} isEmpty={(st) => st.most_run.length === 0} empty={t("home.noRuns")}>
              {(st) => (
                <LinkList
                  testId="most-run"
                  items={st.most_run}
                  link={(m) => ({ key: m.model, to: `/models/${m.model}`, label: m.title, detail: tn("home.runCount", m.runs) })}
                />
              )}
            </QueryState>
          </Section>
        </Grid>
      </Grid>
    </Box>
  );
}
