import ContentCopyIcon from "@mui/icons-material/ContentCopy";
import {
  Alert,
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  IconButton,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
} from "@mui/material";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { createToken, listTokens, revokeToken } from "../api/client";
import { describeError, errorField } from "../api/errors";
import type { ApiToken, ApiTokenCreated } from "../api/types";
import { QueryState } from "../components/States";
import { useI18n, useT } from "../i18n";

const TOKENS_KEY = ["tokens"] as const;

function NewTokenDialog({ onClose }: { onClose: () => void }) {
  const t = useT();
  const client = useQueryClient();
  const [name, setName] = useState("");
  const [days, setDays] = useState("90");
  const [username, setUsername] = useState("");
  const [created, setCreated] = useState<ApiTokenCreated | null>(null);
  const mutation = useMutation({
    mutationFn: () => createToken({ name: name.trim(), expires_in_days: days ? Number(days) : null }, username.trim() || undefined),
    onSuccess: (res) => {
      setCreated(res);
      void client.invalidateQueries({ queryKey: TOKENS_KEY });
    },
  });
  const field = errorField(mutation.error, ["name", "expires_in_days", "username"]);
  const fe = (f: string) => (field === f ? describeError(mutation.error, t) : undefined);
  return (
    <Dialog open onClose={onClose} aria-labelledby="new-token-title">
      <DialogTitle id="new-token-title">{t("admin.newToken")}</DialogTitle>
      <DialogContent>
        {created ? (
          <Stack spacing={2} sx={{ mt: 1, width: 520 }}>
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
          </Stack>
        ) : (
          <Stack spacing={2} sx={{ mt: 1, width: 420 }}>
            {mutation.isError && !field && <Alert severity="error">{describeError(mutation.error, t)}</Alert>}
            <TextField label={t("admin.tokenName")} value={name} onChange={(e) => setName(e.target.value)} required error={!!fe("name")} helperText={fe("name")} />
            <TextField label={t("admin.tokenDays")} type="number" value={days} onChange={(e) => setDays(e.target.value)} error={!!fe("expires_in_days")} helperText={fe("expires_in_days")} />
            <TextField label={t("admin.tokenFor")} value={username} onChange={(e) => setUsername(e.target.value)} error={!!fe("username")} helperText={fe("username")} />
          </Stack>
        )}
      </DialogContent>
      <DialogActions>
        {created ? (
          <Button variant="contained" onClick={onClose}>
            {t("common.close")}
          </Button>
        ) : (
          <>
            <Button onClick={onClose}>{t("common.cancel")}</Button>
            <Button variant="contained" onClick={() => mutation.mutate()} disabled={!name.trim() || mutation.isPending}>
              {t("common.create")}
            </Button>
          </>
        )}
      </DialogActions>
    </Dialog>
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
    <Dialog open onClose={onClose} aria-labelledby="revoke-title">
      <DialogTitle id="revoke-title">{t("admin.revoke")}</DialogTitle>
      <DialogContent>
        <DialogContentText>{t("admin.revokeConfirm", { name: token.name })}</DialogContentText>
        {mutation.isError && <Alert severity="error">{describeError(mutation.error, t)}</Alert>}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{t("common.cancel")}</Button>
        <Button color="error" variant="contained" onClick={() => mutation.mutate()} disabled={mutation.isPending}>
          {t("admin.revoke")}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

export function TokensTab() {
  const { t, locale } = useI18n();
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const q = useQuery({ queryKey: [...TOKENS_KEY], queryFn: () => listTokens(true) });
  const when = (iso?: string | null) => (iso ? new Date(iso).toLocaleString(locale) : "–");
  return (
    <Box>
      <Button variant="contained" onClick={() => setCreating(true)} sx={{ mb: 2 }}>
        {t("admin.newToken")}
      </Button>
      <QueryState query={q} isEmpty={(d) => d.length === 0} empty={t("admin.noTokens")}>
        {(tokens) => (
          <Table size="small" data-testid="tokens-table">
            <TableHead>
              <TableRow>
                <TableCell>{t("admin.tokenName")}</TableCell>
                <TableCell>{t("admin.username")}</TableCell>
                <TableCell>{t("admin.tokenPrefix")}</TableCell>
                <TableCell>{t("common.created")}</TableCell>
                <TableCell>{t("admin.expires")}</TableCell>
                <TableCell>{t("admin.lastUsed")}</TableCell>
                <TableCell>{t("common.actions")}</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {tokens.map((tok) => (
                <TableRow key={tok.id}>
                  <TableCell>{tok.name}</TableCell>
                  <TableCell>{tok.username}</TableCell>
                  <TableCell>
                    <code>mp_{tok.prefix}…</code>
                  </TableCell>
                  <TableCell>{when(tok.created_at)}</TableCell>
                  <TableCell>{when(tok.expires_at)}</TableCell>
                  <TableCell>{when(tok.last_used_at)}</TableCell>
                  <TableCell>
                    {tok.revoked_at ? (
                      `${t("admin.revoked")} ${when(tok.revoked_at)}`
                    ) : (
                      <Button size="small" color="error" onClick={() => setRevoking(tok)}>
                        {t("admin.revoke")}
                      </Button>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </QueryState>
      {creating && <NewTokenDialog onClose={() => setCreating(false)} />}
      {revoking && <RevokeDialog token={revoking} onClose={() => setRevoking(null)} />}
    </Box>
  );
}
