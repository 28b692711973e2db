/**
 * The model page's self-service section (#markets): a new market without a data scientist.
 * The owner opens a version or alias to markets (or all) and approves or declines requests in one
 * click; a business user deploys an open market ("Deploy to my market": name prefilled, a file with
 * each run or a stored dataset, an optional schedule on the dataset) or requests another market.
 */
import { Alert, Autocomplete, Box, Button, Checkbox, Chip, FormControlLabel, Radio, RadioGroup, Stack, Switch, TextField, Typography } from "@mui/material";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate } from "react-router";
import {
  approveMarketRequest,
  closeSelfService,
  declineMarketRequest,
  deploySelfService,
  getSelfService,
  listMarketRequests,
  listVersions,
  openSelfService,
  requestMarket,
} from "../api/client";
import { fieldErrors } from "../api/errors";
import type { BadRows, Dataset, MarketRequest, Model, SelfService } from "../api/types";
import { QueryTable } from "../components/DataTable";
import { FormDialog } from "../components/FormDialog";
import { FormField } from "../components/FormField";
import { Section } from "../components/Section";
import { InlineError, QueryState } from "../components/States";
import { BadRowsChoice } from "../deployments/BadRowsChoice";
import { DatasetUpload } from "../deployments/DatasetUpload";
import { DeploymentLink, deploymentPath } from "../deployments/DeploymentLink";
import { MarketsField } from "../deployments/MarketsField";
import { marketTimeZone } from "../deployments/marketZones";
import { ScheduleFields } from "../deployments/ScheduleFields";
import { useI18n, useT } from "../i18n";
import { approveBody, openingTarget, openMarkets, proposedDeploymentName, proposedMarket } from "./marketsPanel";
import { versionChoices } from "./versions";

type Dialog = "deploy" | "request" | "open" | "close" | null;

export function MarketsPanel({ model }: { model: Model }) {
  const t = useT();
  const q = useQuery({ queryKey: ["self-service", model.name], queryFn: () => getSelfService(model.name) });
  const [dialog, setDialog] = useState<Dialog>(null);
  const [sent, setSent] = useState<MarketRequest | null>(null);
  const close = () => setDialog(null);
  return (
    <Box id="markets" data-testid="markets-panel">
      <Section title={t("markets.title")}>
        <QueryState query={q}>
          {(ss) => (
            <Stack spacing={2}>
              <Opening ss={ss} />
              {sent && (
                <Alert severity="success" onClose={() => setSent(null)}>
                  {t("markets.requestSent", { market: sent.market, owner: model.owner })}
                </Alert>
              )}
              <Stack direction="row" spacing={1} useFlexGap sx={{ flexWrap: "wrap" }}>
                {ss.can_deploy && (
                  <Button variant="contained" onClick={() => setDialog("deploy")}>
                    {t("markets.deploy")}
                  </Button>
                )}
                {ss.can_request && (
                  <Button variant="outlined" onClick={() => setDialog("request")}>
                    {t("markets.request")}
                  </Button>
                )}
                {ss.can_manage && (
                  <Button variant="outlined" onClick={() => setDialog("open")} disabled={model.version_count === 0}>
                    {ss.open ? t("markets.change") : t("markets.open")}
                  </Button>
                )}
                {ss.can_manage && ss.open && (
                  <Button color="warning" onClick={() => setDialog("close")}>
                    {t("markets.close")}
                  </Button>
                )}
              </Stack>
              {ss.can_manage && <PendingRequests ss={ss} model={model} />}
              {dialog === "deploy" && <DeployDialog ss={ss} model={model} onClose={close} />}
              {dialog === "request" && <RequestDialog ss={ss} model={model} onClose={close} onSent={setSent} />}
              {dialog === "open" && <OpenDialog ss={ss} model={model} onClose={close} />}
              {dialog === "close" && <CloseDialog model={model} onClose={close} />}
            </Stack>
          )}
        </QueryState>
      </Section>
    </Box>
  );
}

function Opening({ ss }: { ss: SelfService }) {
  const t = useT();
  return (
    <Box data-testid="markets-opening">
      {ss.open ? (
        <Typography>
          {t("markets.openTo", { markets: openMarkets(ss, t) })} — {openingTarget(ss, t)}
        </Typography>
      ) : (
        <Typography color="text.secondary">{t("markets.notOpen")}</Typography>
      )}
      {ss.deployments.length > 0 && (
        <Stack direction="row" spacing={1} useFlexGap sx={{ flexWrap: "wrap", mt: 1, alignItems: "center" }}>
          <Typography variant="body2" color="text.secondary">
            {t("markets.deployedIn")}
          </Typography>
          {ss.deployments.map((d) => (
            <Chip key={d.name} size="small" variant="outlined" label={<>{d.market}: <DeploymentLink name={d.name} /></>} />
          ))}
        </Stack>
      )}
    </Box>
  );
}

/** The owner's pending requests, each approved or declined in one click (a reason for a decline). */
function PendingRequests({ ss, model }: { ss: SelfService; model: Model }) {
  const { t, when } = useI18n();
  const client = useQueryClient();
  const q = useQuery({
    queryKey: ["market-requests", { model: model.name, status: "pending" }],
    queryFn: () => listMarketRequests({ model: model.name, status: "pending", view: "received" }),
  });
  const [declining, setDeclining] = useState<MarketRequest | null>(null);
  const refresh = () => {
    void client.invalidateQueries({ queryKey: ["market-requests"] });
    void client.invalidateQueries({ queryKey: ["self-service", model.name] });
  };
  const approve = useMutation({ mutationFn: (r: MarketRequest) => approveMarketRequest(r.id, approveBody(ss, model)), onSuccess: refresh });
  if (q.data && q.data.total === 0) return null;
  return (
    <Box>
      <Typography variant="h3" component="h3" sx={{ mb: 1 }}>
        {t("markets.pending")}
      </Typography>
      <InlineError error={approve.error} />
      <QueryTable
        query={q}
        empty={t("markets.noPending")}
        testId="market-requests"
        rows={(data) => data.items}
        rowKey={(r) => r.id}
        columns={[
          { label: t("common.market"), cell: (r) => <strong>{r.market}</strong> },
          { label: t("markets.requestedBy"), cell: (r) => r.requested_by },
          { label: t("markets.message"), cell: (r) => r.message || "–" },
          { label: t("common.created"), cell: (r) => when(r.created_at) },
          {
            label: t("common.actions"),
            cell: (r) => (
              <Stack direction="row" spacing={1}>
                <Button size="small" variant="contained" onClick={() => approve.mutate(r)} disabled={approve.isPending} aria-label={t("markets.approveFor", { market: r.market })}>
                  {t("markets.approve")}
                </Button>
                <Button size="small" onClick={() => setDeclining(r)} aria-label={t("markets.declineFor", { market: r.market })}>
                  {t("markets.decline")}
                </Button>
              </Stack>
            ),
          },
        ]}
      />
      {declining && <DeclineDialog request={declining} onClose={() => setDeclining(null)} onDone={refresh} />}
    </Box>
  );
}

function DeclineDialog({ request, onClose, onDone }: { request: MarketRequest; onClose: () => void; onDone: () => void }) {
  const t = useT();
  const [reason, setReason] = useState("");
  const mutation = useMutation({
    mutationFn: () => declineMarketRequest(request.id, reason.trim()),
    onSuccess: () => {
      onDone();
      onClose();
    },
  });
  return (
    <FormDialog
      title={t("markets.declineTitle", { market: request.market, who: request.requested_by })}
      onClose={onClose}
      action={mutation}
      submitLabel={t("markets.decline")}
      canSubmit={!!reason.trim()}
    >
      <TextField label={t("markets.reason")} value={reason} onChange={(e) => setReason(e.target.value)} multiline minRows={2} required helperText={t("markets.reasonHelp")} />
    </FormDialog>
  );
}

/** A business user deploys the model for an open market: a few clicks, then the run page. */
function DeployDialog({ ss, model, onClose }: { ss: SelfService; model: Model; onClose: () => void }) {
  const t = useT();
  const navigate = useNavigate();
  const client = useQueryClient();
  const [market, setMarket] = useState(proposedMarket(ss));
  const [name, setName] = useState<string | null>(null);
  const [inputKind, setInputKind] = useState<"upload" | "dataset">("upload");
  const [dataset, setDataset] = useState<Dataset | null>(null);
  const [onBadRows, setOnBadRows] = useState<BadRows>("reject");
  const [scheduled, setScheduled] = useState(false);
  const [cron, setCron] = useState("0 6 * * 1");
  const [zone, setZone] = useState<string | null>(null);
  const shownName = name ?? proposedDeploymentName(ss, market);
  const timezone = zone ?? marketTimeZone(market);
  const mutation = useMutation({
    mutationFn: () =>
      deploySelfService(model.name, {
        market: market.trim(),
        name: shownName.trim() || null,
        description: "",
        on_bad_rows: onBadRows,
        input: inputKind === "dataset" ? { kind: "dataset", dataset: dataset?.sha256 ?? null, filename: dataset?.filename ?? null } : { kind: "upload" },
        schedule: inputKind === "dataset" && scheduled ? { cron: cron.trim(), timezone } : null,
      }),
    onSuccess: (d) => {
      void client.invalidateQueries({ queryKey: ["deployments"] });
      void client.invalidateQueries({ queryKey: ["self-service", model.name] });
      // A file with each run: straight to the upload of the first file; a dataset: the deployment's page.
      if (d.input.kind === "upload") void navigate(`/models/${model.name}/run?deployment=${d.id}&tab=file`);
      else void navigate(deploymentPath(d.name), { state: { flash: t("deploy.done", { name: d.name }) } });
    },
  });
  const errors = fieldErrors(mutation.error, ["market", "name", "input.dataset", "input", "schedule.timezone", "schedule", "on_bad_rows"], t);
  return (
    <FormDialog
      title={t("markets.deployTitle", { name: model.title })}
      onClose={onClose}
      action={mutation}
      error={errors.unplaced}
      submitLabel={t("deploy.submit")}
      canSubmit={!!market.trim() && !!shownName.trim() && (inputKind === "upload" || !!dataset)}
      width={480}
    >
      <Typography variant="body2" color="text.secondary">
        {openingTarget(ss, t)}
      </Typography>
      {ss.all_markets ? (
        <Autocomplete
          freeSolo
          options={model.markets}
          inputValue={market}
          onInputChange={(_e, v) => setMarket(v.toUpperCase())}
          renderInput={(params) => (
            <TextField {...params} label={t("deploy.market")} required error={!!errors.of("market")} helperText={errors.of("market") ?? t("markets.anyMarket")} />
          )}
        />
      ) : (
        <FormField label={t("deploy.market")} value={market} onChange={(e) => setMarket(e.target.value)} options={ss.markets} field="market" errors={errors.of} required />
      )}
      <FormField label={t("deploy.name")} value={shownName} onChange={(e) => setName(e.target.value)} field="name" errors={errors.of} help={t("deploy.nameHelp")} required />
      <RadioGroup value={inputKind} onChange={(e) => setInputKind(e.target.value as "upload" | "dataset")} aria-label={t("deploy.input")}>
        <FormControlLabel value="upload" control={<Radio />} label={t("deploy.inputUpload")} />
        <FormControlLabel value="dataset" control={<Radio />} label={t("deploy.inputDataset")} />
      </RadioGroup>
      {inputKind === "dataset" && <DatasetUpload dataset={dataset} onDataset={setDataset} error={errors.of("input.dataset") ?? errors.of("input")} />}
      <Box>
        <Typography variant="h3" component="h3">
          {t("deploy.badRows")}
        </Typography>
        <BadRowsChoice value={onBadRows} onChange={setOnBadRows} error={errors.of("on_bad_rows")} />
      </Box>
      {inputKind === "dataset" ? (
        <Box>
          <FormControlLabel control={<Switch checked={scheduled} onChange={(e) => setScheduled(e.target.checked)} />} label={t("deploy.scheduled")} />
          {scheduled && (
            <ScheduleFields
              cron={cron}
              timezone={timezone}
              onCron={setCron}
              onTimezone={setZone}
              cronError={errors.of("schedule")}
              timezoneError={errors.of("schedule.timezone")}
              timezoneHelp={zone === null && market ? t("deploy.timezoneOfMarket", { market }) : undefined}
            />
          )}
        </Box>
      ) : (
        <Typography variant="body2" color="text.secondary">
          {t("deploy.scheduleNeedsStored")}
        </Typography>
      )}
      {errors.of("schedule") && inputKind !== "dataset" && (
        <Typography color="error" variant="body2" role="alert">
          {errors.of("schedule")}
        </Typography>
      )}
    </FormDialog>
  );
}

function RequestDialog({ ss, model, onClose, onSent }: { ss: SelfService; model: Model; onClose: () => void; onSent: (r: MarketRequest) => void }) {
  const t = useT();
  const client = useQueryClient();
  const notOpen = model.markets.filter((m) => !ss.markets.includes(m));
  const [market, setMarket] = useState(notOpen[0] ?? "");
  const [message, setMessage] = useState("");
  const mutation = useMutation({
    mutationFn: () => requestMarket(model.name, { market: market.trim(), message: message.trim() }),
    onSuccess: (r) => {
      void client.invalidateQueries({ queryKey: ["market-requests"] });
      onSent(r);
      onClose();
    },
  });
  const errors = fieldErrors(mutation.error, ["market", "message"], t);
  return (
    <FormDialog
      title={t("markets.requestTitle", { name: model.title })}
      onClose={onClose}
      action={mutation}
      error={errors.unplaced}
      submitLabel={t("markets.send")}
      canSubmit={!!market.trim()}
    >
      <Typography variant="body2">{t("markets.requestHelp", { owner: model.owner })}</Typography>
      <Autocomplete
        freeSolo
        options={notOpen}
        inputValue={market}
        onInputChange={(_e, v) => setMarket(v.toUpperCase())}
        renderInput={(params) => <TextField {...params} label={t("deploy.market")} required error={!!errors.of("market")} helperText={errors.of("market")} />}
      />
      <TextField label={t("markets.message")} value={message} onChange={(e) => setMessage(e.target.value)} multiline minRows={2} />
    </FormDialog>
  );
}

/** The owner opens (or changes) the opening: a version or an alias, for some markets or all. */
function OpenDialog({ ss, model, onClose }: { ss: SelfService; model: Model; onClose: () => void }) {
  const t = useT();
  const client = useQueryClient();
  const versions = useQuery({ queryKey: ["versions", model.name], queryFn: () => listVersions(model.name) });
  const aliases = model.aliases ?? {};
  const hasAliases = Object.keys(aliases).length > 0;
  const [mode, setMode] = useState<"alias" | "version">(ss.version ? "version" : hasAliases ? "alias" : "version");
  const [alias, setAlias] = useState(ss.alias ?? ("champion" in aliases ? "champion" : (Object.keys(aliases)[0] ?? "")));
  const [version, setVersion] = useState<number>(ss.version ?? model.latest_version);
  const [all, setAll] = useState(ss.all_markets);
  const [markets, setMarkets] = useState<string[]>(ss.all_markets ? [] : ss.markets);
  const mutation = useMutation({
    mutationFn: () =>
      openSelfService(model.name, {
        ...(mode === "alias" ? { alias } : { version }),
        markets: all ? ["*"] : markets,
      }),
    onSuccess: (next) => {
      client.setQueryData(["self-service", model.name], next);
      void client.invalidateQueries({ queryKey: ["market-requests"] });
      onClose();
    },
  });
  const errors = fieldErrors(mutation.error, ["markets", "version", "alias"], t);
  return (
    <FormDialog
      title={t("markets.openTitle", { name: model.title })}
      onClose={onClose}
      action={mutation}
      error={errors.unplaced}
      submitLabel={ss.open ? t("common.save") : t("markets.open")}
      canSubmit={all || markets.length > 0}
      width={480}
    >
      <RadioGroup row value={mode} onChange={(e) => setMode(e.target.value as "alias" | "version")}>
        <FormControlLabel value="alias" control={<Radio />} label={t("deploy.followAlias")} disabled={!hasAliases} />
        <FormControlLabel value="version" control={<Radio />} label={t("deploy.pinVersion")} />
      </RadioGroup>
      {mode === "alias" ? (
        <FormField
          label={t("deploy.alias")}
          value={alias}
          onChange={(e) => setAlias(e.target.value)}
          options={Object.entries(aliases).map(([a, v]) => ({ value: a, label: `${a} (v${v})` }))}
          field="alias"
          errors={errors.of}
        />
      ) : (
        <FormField
          label={t("deploy.version")}
          value={version}
          onChange={(e) => setVersion(Number(e.target.value))}
          options={versionChoices(versions.data ?? [])}
          field="version"
          errors={errors.of}
        />
      )}
      <FormControlLabel control={<Checkbox checked={all} onChange={(e) => setAll(e.target.checked)} />} label={t("markets.allMarketsOption")} />
      {!all && (
        <MarketsField
          label={t("deploy.markets")}
          value={markets}
          onChange={setMarkets}
          options={model.markets}
          help={t("deploy.marketsHelp")}
          error={errors.of("markets")}
          testId="open-markets"
        />
      )}
    </FormDialog>
  );
}

function CloseDialog({ model, onClose }: { model: Model; onClose: () => void }) {
  const t = useT();
  const client = useQueryClient();
  const mutation = useMutation({
    mutationFn: () => closeSelfService(model.name),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["self-service", model.name] });
      onClose();
    },
  });
  return (
    <FormDialog title={t("markets.closeTitle", { name: model.title })} onClose={onClose} action={mutation} submitLabel={t("markets.close")} danger>
      <Typography>{t("markets.closeConfirm")}</Typography>
    </FormDialog>
  );
}
