/** My notifications, newest first, a page at a time: open one (marks it read), mark read, mark all read. */
import { Box, Button, Chip, FormControlLabel, Link, Paper, Stack, Switch, Typography } from "@mui/material";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link as RouterLink, useSearchParams } from "react-router";
import { listNotifications, markAllNotificationsRead, markNotificationRead } from "../api/client";
import type { Notification } from "../api/types";
import { Pager } from "../components/Pager";
import { EmptyState, ErrorAlert, QueryState } from "../components/States";
import { useI18n, type MessageKey } from "../i18n";
import { notificationTarget } from "./links";

const PAGE_SIZE = 20;

function Item({ n, onRead, busy }: { n: Notification; onRead: () => void; busy: boolean }) {
  const { t, when } = useI18n();
  const unread = !n.read_at;
  const target = notificationTarget(n);
  return (
    <Paper
      variant="outlined"
      component="li"
      sx={{ p: 2, listStyle: "none", borderLeft: 4, borderLeftColor: unread ? "primary.main" : "divider" }}
      data-testid="notification"
      data-unread={unread ? "true" : "false"}
    >
      <Stack direction="row" sx={{ justifyContent: "space-between", gap: 2, alignItems: "flex-start" }}>
        <Box sx={{ minWidth: 0 }}>
          <Stack direction="row" spacing={1} sx={{ alignItems: "center", mb: 0.5 }}>
            <Chip size="small" label={t(`notifications.kind.${n.kind}` as MessageKey)} color={n.kind.endsWith("failed") || n.kind === "schedule_skipped" ? "error" : "default"} variant="outlined" />
            <Typography variant="body2" color="text.secondary">
              {when(n.created_at)}
            </Typography>
          </Stack>
          <Typography component="h2" sx={{ fontWeight: unread ? 700 : 400, fontSize: "1rem" }}>
            {target ? (
              <Link component={RouterLink} to={target} onClick={() => unread && onRead()}>
                {n.title}
              </Link>
            ) : (
              n.title
            )}
          </Typography>
          <Typography variant="body2" sx={{ whiteSpace: "pre-wrap", wordBreak: "break-word", mt: 0.5 }}>
            {n.body}
          </Typography>
        </Box>
        {unread && (
          <Button size="small" onClick={onRead} disabled={busy} sx={{ flexShrink: 0 }}>
            {t("notifications.markRead")}
          </Button>
        )}
      </Stack>
    </Paper>
  );
}

export function NotificationsPage() {
  const { t } = useI18n();
  const client = useQueryClient();
  const [params, setParams] = useSearchParams();
  const page = Math.max(1, Number(params.get("page") ?? 1) || 1);
  const unreadOnly = params.get("unread") === "1";
  const q = useQuery({
    queryKey: ["notifications", { page, unreadOnly }],
    queryFn: () => listNotifications({ page, page_size: PAGE_SIZE, unread: unreadOnly ? true : undefined }),
    placeholderData: keepPreviousData,
  });
  const refresh = () => void client.invalidateQueries({ queryKey: ["notifications"] });
  const readOne = useMutation({ mutationFn: (id: number) => markNotificationRead(id), onSuccess: refresh });
  // Up to the newest one on the screen: one that arrives meanwhile stays unread.
  const newest = q.data?.items.reduce((m, n) => Math.max(m, n.id), 0) ?? 0;
  const readAll = useMutation({ mutationFn: () => markAllNotificationsRead(newest || undefined), onSuccess: refresh });
  const set = (k: string, v: string | null) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    if (k !== "page") next.delete("page");
    setParams(next);
  };
  const anyUnread = q.data?.items.some((n) => !n.read_at) ?? false;
  return (
    <Box>
      <Stack direction="row" sx={{ justifyContent: "space-between", alignItems: "center", mb: 2, gap: 2, flexWrap: "wrap" }}>
        <Typography variant="h1">{t("notifications.title")}</Typography>
        <Stack direction="row" spacing={2} sx={{ alignItems: "center" }}>
          <FormControlLabel
            control={<Switch checked={unreadOnly} onChange={(e) => set("unread", e.target.checked ? "1" : null)} />}
            label={t("notifications.unreadOnly")}
          />
          <Button variant="outlined" onClick={() => readAll.mutate()} disabled={!anyUnread || readAll.isPending}>
            {t("notifications.markAllRead")}
          </Button>
        </Stack>
      </Stack>
      <ErrorAlert error={readOne.error ?? readAll.error} sx={{ mb: 2 }} />
      <QueryState query={q}>
        {(data) =>
          data.items.length === 0 ? (
            <EmptyState>{unreadOnly ? t("notifications.noneUnread") : t("notifications.none")}</EmptyState>
          ) : (
            <>
              <Stack component="ul" spacing={1} sx={{ p: 0, m: 0 }} data-testid="notifications">
                {data.items.map((n) => (
                  <Item key={n.id} n={n} onRead={() => readOne.mutate(n.id)} busy={readOne.isPending} />
                ))}
              </Stack>
              <Pager total={data.total} pageSize={PAGE_SIZE} page={page} onChange={(p) => set("page", p === 1 ? null : String(p))} />
            </>
          )
        }
      </QueryState>
    </Box>
  );
}
