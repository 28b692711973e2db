/**
 * API tokens: an admin's tab lists every user's (and creates one for any user); "My API tokens" lists
 * the signed-in user's own. Create one (its secret shown once), revoke one.
 */
import ContentCopyIcon from "@mui/icons-material/ContentCopy";
import { Alert, Button, DialogContentText, IconButton, Stack, TextField } from "@mui/material";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { createToken, listTokens, revokeToken } from "../api/client";
import { fieldErrors } from "../api/errors";
import type { ApiToken, ApiTokenCreated } from "../api/types";
import { QueryTable } from "../components/DataTable";
import { FormDialog } from "../components/FormDialog";
import { FormField } from "../components/FormField";
import { useI18n, useT } from "../i18n";
import { WithCreate } from "./WithCreate";

const TOKENS_KEY = ["tokens"] as const;

function ShowToken({ created, onClose }: { created: ApiTokenCreated; onClose: () => void }) {
  const t = useT();
  return (
    <FormDialog title={t("admin.newToken")} onClose={onClose} width={520}>
      <Alert severity="warning">{t("admin.tokenShownOnce")}</Alert>
      <Stack direction="row" spacing={1} sx={{ alignItems: "center" }}>
        <TextField
          fullWidth
          value={created.token}
          label={created.api_token.name}
          slotProps={{ input: { readOnly: true }, htmlInput: { "data-testid": "new-token", style: { fontFamily: "monospace" } } }}
          onFocus={(e) => e.target.select()}
        />
        <IconButton aria-label={t("admin.copy")} onClick={() => void navigator.clipboard?.writeText(created.token)}>
          <ContentCopyIcon />
        </IconButton>
      </Stack>
    </FormDialog>
  );
}

function NewTokenDialog({ onClose, forOthers }: { onClose: () => void; forOthers: boolean }) {
  const t = useT();
  const client = useQueryClient();
  const [name, setName] = useState("");
  const [days, setDays] = useState("90");
  const [username, setUsername] = useState("");
  const mutation = useMutation({
    mutationFn: () => createToken({ name: name.trim(), expires_in_days: days ? Number(days) : null }, username.trim() || undefined),
    onSuccess: () => void client.invalidateQueries({ queryKey: TOKENS_KEY }),
  });
  if (mutation.data) return <ShowToken created={mutation.data} onClose={onClose} />;
  const errors = fieldErrors(mutation.error, ["name", "expires_in_days", "username"], t);
  return (
    <FormDialog
      title={t("admin.newToken")}
      onClose={onClose}
      action={mutation}
      submitLabel={t("common.create")}
      canSubmit={!!name.trim()}
      error={errors.unplaced}
    >
      <FormField label={t("admin.tokenName")} value={name} onChange={(e) => setName(e.target.value)} required field="name" errors={errors.of} />
      <FormField label={t("admin.tokenDays")} type="number" value={days} onChange={(e) => setDays(e.target.value)} field="expires_in_days" errors={errors.of} />
      {forOthers && (
        <FormField label={t("admin.tokenFor")} value={username} onChange={(e) => setUsername(e.target.value)} field="username" errors={errors.of} />
      )}
    </FormDialog>
  );
}

function RevokeDialog({ token, onClose }: { token: ApiToken; onClose: () => void }) {
  const t = useT();
  const client = useQueryClient();
  const mutation = useMutation({
    mutationFn: () => revokeToken(token.id),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: TOKENS_KEY });
      onClose();
    },
  });
  return (
    <FormDialog
      title={t("admin.revoke")}
      onClose={onClose}
      action={mutation}
      submitLabel={t("admin.revoke")}
      danger
    >
      <DialogContentText>{t("admin.revokeConfirm", { name: token.name })}</DialogContentText>
    </FormDialog>
  );
}

/** `allUsers`: every user's tokens (admins); otherwise the signed-in user's own. */
export function TokensTab({ allUsers = true }: { allUsers?: boolean }) {
  const { t, when } = useI18n();
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const q = useQuery({ queryKey: [...TOKENS_KEY, { allUsers }], queryFn: () => listTokens(allUsers) });
  return (
    <WithCreate label={t("admin.newToken")} dialog={(close) => <NewTokenDialog onClose={close} forOthers={allUsers} />}>
      <QueryTable
        query={q}
        empty={allUsers ? t("admin.noTokens") : t("tokens.none")}
        testId="tokens-table"
        rows={(tokens) => tokens}
        rowKey={(tok) => tok.id}
        columns={[
          { label: t("admin.tokenName"), cell: (tok) => tok.name },
          ...(allUsers ? [{ label: t("admin.username"), cell: (tok: ApiToken) => tok.username }] : []),
          { label: t("admin.tokenPrefix"), cell: (tok) => <code>mp_{tok.prefix}…</code> },
          { label: t("common.created"), cell: (tok) => when(tok.created_at) },
          { label: t("admin.expires"), cell: (tok) => when(tok.expires_at) },
          { label: t("admin.lastUsed"), cell: (tok) => when(tok.last_used_at) },
          {
            label: t("common.actions"),
            cell: (tok) =>
              tok.revoked_at ? (
                `${t("admin.revoked")} ${when(tok.revoked_at)}`
              ) : (
                <Button size="small" color="error" onClick={() => setRevoking(tok)}>
                  {t("admin.revoke")}
                </Button>
              ),
          },
        ]}
      />
      {revoking && <RevokeDialog token={revoking} onClose={() => setRevoking(null)} />}
    </WithCreate>
  );
}
