/** Under a cron field: the schedule in words and its next five run times, in the schedule's own time zone. */
import { Alert, Box, List, ListItem, Typography } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { previewSchedule } from "../api/client";
import { describeError } from "../api/errors";
import { useDebounced } from "../lib/useDebounced";
import { describeCron, formatRunTimes, isCronShaped, userTimeZone } from "../lib/cron";
import { useI18n } from "../i18n";

export function CronHelper({ cron, timezone }: { cron: string; timezone: string }) {
  const { t, locale } = useI18n();
  const expr = useDebounced(cron.trim(), 300);
  const shaped = isCronShaped(expr);
  const viewerZone = userTimeZone();
  const preview = useQuery({
    queryKey: ["schedule-preview", expr, timezone],
    queryFn: () => previewSchedule(expr, timezone, 5),
    enabled: shaped,
    retry: false,
    staleTime: 60_000,
  });
  if (!expr) return null;
  if (!shaped) {
    return (
      <Typography color="error" variant="body2" role="alert" data-testid="cron-invalid">
        {t("cron.invalid")}
      </Typography>
    );
  }
  return (
    <Box data-testid="cron-helper" aria-live="polite">
      <Typography variant="body2" sx={{ fontWeight: 600 }}>
        {describeCron(expr, t)}
        {timezone !== viewerZone && ` (${timezone})`}
      </Typography>
      {preview.isError && (
        <Alert severity="warning" sx={{ mt: 1 }}>
          {t("cron.previewError", { reason: describeError(preview.error, t) })}
        </Alert>
      )}
      {preview.data && (
        <>
          <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
            {t("cron.next", { tz: timezone })}
          </Typography>
          <List dense disablePadding data-testid="cron-next">
            {formatRunTimes(preview.data.next, timezone, locale).map((s, i) => (
              <ListItem key={i} disableGutters sx={{ py: 0 }}>
                <Typography variant="body2">{s}</Typography>
              </ListItem>
            ))}
          </List>
        </>
      )}
    </Box>
  );
}
