/**
 * A schedule's fields, shared by the deploy form, a deployment's edit dialog and the self-service
 * deploy dialog: the cron expression (with the API's error about the schedule under it), the time
 * zone (the market's usual one until chosen), and the schedule in words with its next run times.
 */
import { Stack } from "@mui/material";
import { useMemo } from "react";
import { CronHelper } from "../components/CronHelper";
import { FormField } from "../components/FormField";
import { useT } from "../i18n";
import { timeZones } from "../lib/cron";

const MONOSPACE = { spellCheck: false, style: { fontFamily: "monospace" } };

export function ScheduleFields({
  cron,
  timezone,
  onCron,
  onTimezone,
  cronError,
  timezoneError,
  timezoneHelp,
}: {
  cron: string;
  timezone: string;
  onCron: (cron: string) => void;
  onTimezone: (zone: string) => void;
  /** The API's sentence about the schedule (or its cron), shown under the cron field. */
  cronError?: string;
  timezoneError?: string;
  timezoneHelp?: string;
}) {
  const t = useT();
  const zones = useMemo(() => {
    const all = timeZones();
    return all.includes(timezone) ? all : [timezone, ...all];
  }, [timezone]);
  const has = (msg: string | undefined) => (msg ? () => msg : undefined);
  return (
    <Stack spacing={2} sx={{ mt: 1 }}>
      <FormField
        label={t("deploy.cron")}
        help={t("deploy.cronHelp")}
        value={cron}
        onChange={(e) => onCron(e.target.value)}
        field="cron"
        errors={has(cronError)}
        slotProps={{ htmlInput: { ...MONOSPACE, "data-testid": "cron" } }}
      />
      <FormField
        label={t("deploy.timezone")}
        value={timezone}
        onChange={(e) => onTimezone(e.target.value)}
        field="timezone"
        errors={has(timezoneError)}
        help={timezoneHelp}
        options={zones}
        slotProps={{ select: { MenuProps: { slotProps: { paper: { sx: { maxHeight: 360 } } } } } }}
        data-testid="timezone"
      />
      <CronHelper cron={cron} timezone={timezone} />
    </Stack>
  );
}
