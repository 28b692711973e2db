/**
 * Change a deployment: the version or alias it serves, its schedule (only on a stored input), what it
 * does with bad rows, its description. Only what changed is sent; the API's error about a field goes
 * under that field.
 */
import { FormControlLabel, Radio, RadioGroup, Switch, Typography } from "@mui/material";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { getModel, listVersions, updateDeployment } from "../api/client";
import { fieldErrors } from "../api/errors";
import type { BadRows, Deployment, DeploymentUpdate } from "../api/types";
import { FormDialog } from "../components/FormDialog";
import { FormField } from "../components/FormField";
import { useT } from "../i18n";
import { versionChoices } from "../models/versions";
import { BadRowsChoice } from "./BadRowsChoice";
import { isStored } from "./deployForm";
import { marketTimeZone } from "./marketZones";
import { ScheduleFields } from "./ScheduleFields";

const FIELDS = ["version", "alias", "schedule.timezone", "schedule", "description", "on_bad_rows", "input"] as const;

interface EditFields {
  mode: "alias" | "version";
  alias: string;
  version: number | "";
  scheduled: boolean;
  cron: string;
  timezone: string;
  onBadRows: BadRows;
  description: string;
}

/** The changes between a deployment and the edited fields, as the PATCH body. */
export function deploymentChanges(d: Deployment, f: EditFields): DeploymentUpdate {
  const body: DeploymentUpdate = {};
  if (f.mode === "alias" && f.alias !== d.alias) body.alias = f.alias;
  if (f.mode === "version" && f.version !== "" && (f.version !== d.version || d.alias)) body.version = f.version;
  const schedule = f.scheduled ? { cron: f.cron.trim(), timezone: f.timezone } : null;
  const before = d.schedule ? { cron: d.schedule.cron, timezone: d.schedule.timezone } : null;
  if (JSON.stringify(schedule) !== JSON.stringify(before)) body.schedule = schedule;
  if (f.onBadRows !== d.on_bad_rows) body.on_bad_rows = f.onBadRows;
  if (f.description.trim() !== d.description) body.description = f.description.trim();
  return body;
}

export function EditDeploymentDialog({ deployment: d, onClose }: { deployment: Deployment; onClose: () => void }) {
  const t = useT();
  const client = useQueryClient();
  const model = useQuery({ queryKey: ["model", d.model], queryFn: () => getModel(d.model) });
  const versions = useQuery({ queryKey: ["versions", d.model], queryFn: () => listVersions(d.model) });
  const aliases = model.data?.aliases ?? {};
  const [f, setF] = useState<EditFields>({
    mode: d.alias ? "alias" : "version",
    alias: d.alias ?? "champion",
    version: d.version ?? d.resolved_version ?? "",
    scheduled: !!d.schedule,
    cron: d.schedule?.cron ?? "0 6 * * 1",
    timezone: d.schedule?.timezone ?? marketTimeZone(d.market),
    onBadRows: d.on_bad_rows,
    description: d.description,
  });
  const set = <K extends keyof EditFields>(k: K, v: EditFields[K]) => setF((x) => ({ ...x, [k]: v }));
  const changes = deploymentChanges(d, f);
  const mutation = useMutation({
    mutationFn: () => updateDeployment(d.name, changes),
    onSuccess: (updated) => {
      client.setQueryData(["deployment", d.name], updated);
      void client.invalidateQueries({ queryKey: ["deployments"] });
      onClose();
    },
  });
  const errors = fieldErrors(mutation.error, FIELDS, t);
  const stored = isStored(d.input.kind);
  const aliasOptions = Object.entries(aliases).map(([a, v]) => ({ value: a, label: `${a} (v${v})` }));
  if (d.alias && !(d.alias in aliases)) aliasOptions.unshift({ value: d.alias, label: d.alias });
  return (
    <FormDialog
      title={t("deployment.editTitle", { name: d.name })}
      onClose={onClose}
      action={mutation}
      error={errors.unplaced}
      submitLabel={t("common.save")}
      canSubmit={Object.keys(changes).length > 0}
      width={480}
    >
      <RadioGroup row value={f.mode} onChange={(e) => set("mode", e.target.value as EditFields["mode"])}>
        <FormControlLabel value="alias" control={<Radio />} label={t("deploy.followAlias")} disabled={aliasOptions.length === 0} />
        <FormControlLabel value="version" control={<Radio />} label={t("deploy.pinVersion")} />
      </RadioGroup>
      {f.mode === "alias" ? (
        <FormField label={t("deploy.alias")} value={f.alias} onChange={(e) => set("alias", e.target.value)} options={aliasOptions} field="alias" errors={errors.of} />
      ) : (
        <FormField
          label={t("deploy.version")}
          value={f.version}
          onChange={(e) => set("version", Number(e.target.value))}
          options={versionChoices(versions.data ?? [])}
          field="version"
          errors={errors.of}
        />
      )}
      <FormField label={t("deploy.description")} value={f.description} onChange={(e) => set("description", e.target.value)} field="description" errors={errors.of} />
      <Typography variant="h3" component="h3">
        {t("deploy.badRows")}
      </Typography>
      <BadRowsChoice value={f.onBadRows} onChange={(v) => set("onBadRows", v)} error={errors.of("on_bad_rows")} />
      <Typography variant="h3" component="h3">
        {t("deploy.schedule")}
      </Typography>
      <FormControlLabel
        control={<Switch checked={f.scheduled} onChange={(e) => set("scheduled", e.target.checked)} disabled={!stored && !f.scheduled} />}
        label={t("deploy.scheduled")}
      />
      {!stored && (
        <Typography variant="body2" color="text.secondary">
          {t("deploy.scheduleNeedsStored")}
        </Typography>
      )}
      {f.scheduled && (
        <ScheduleFields
          cron={f.cron}
          timezone={f.timezone}
          onCron={(v) => set("cron", v)}
          onTimezone={(v) => set("timezone", v)}
          cronError={errors.of("schedule")}
          timezoneError={errors.of("schedule.timezone")}
        />
      )}
    </FormDialog>
  );
}
