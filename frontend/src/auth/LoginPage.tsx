import { Alert, Box, Button, Divider, Paper, Stack, TextField, Typography } from "@mui/material";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useNavigate, useSearchParams } from "react-router";
import { ApiError, authConfig, login } from "../api/client";
import { describeError } from "../api/errors";
import { LanguageSwitch } from "../components/LanguageSwitch";
import { useT } from "../i18n";
import { ME_KEY } from "./session";

/** Only same-site paths are followed after sign-in (no open redirect). */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/login")) return "/";
  return next;
}

export function LoginPage() {
  const t = useT();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const client = useQueryClient();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const config = useQuery({ queryKey: ["auth-config"], queryFn: authConfig, staleTime: Infinity, retry: false });
  const mutation = useMutation({
    mutationFn: () => login(username, password),
    meta: { skipAuthRedirect: true },
    onSuccess: (res) => {
      client.clear();
      client.setQueryData(ME_KEY, res.user);
      void navigate(safeNext(params.get("next")), { replace: true });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    mutation.mutate();
  };
  const sso = config.data?.sso_enabled && config.data.sso_login_url;
  const local = config.data?.local_login_enabled ?? true;
  const error = mutation.error;
  const ssoError = params.get("sso_error");
  const message =
    error instanceof ApiError && error.status === 401
      ? t("login.failed")
      : error
        ? describeError(error, t)
        : ssoError
          ? t("login.ssoFailed")
          : null;
  return (
    <Box component="main" sx={{ minHeight: "100vh", display: "grid", placeItems: "center", bgcolor: "background.default" }}>
      <Paper sx={{ p: 4, width: 400 }}>
        <Stack spacing={2}>
          <Box sx={{ display: "flex", justifyContent: "space-between", alignItems: "center" }}>
            <Typography variant="h1" component="h1">
              {t("login.title")}
            </Typography>
          </Box>
          <Typography color="text.secondary">{t("login.subtitle")}</Typography>
          {message && (
            <Alert severity="error" role="alert">
              {message}
            </Alert>
          )}
          {sso && (
            <Button variant="outlined" size="large" href={config.data?.sso_login_url ?? undefined}>
              {t("login.sso")}
            </Button>
          )}
          {sso && local && <Divider>{t("login.or")}</Divider>}
          {local ? (
            <Stack component="form" spacing={2} onSubmit={submit} noValidate>
              <TextField
                label={t("login.username")}
                name="username"
                autoComplete="username"
                value={username}
                onChange={(e) => setUsername(e.target.value)}
                required
                autoFocus
                size="medium"
              />
              <TextField
                label={t("login.password")}
                name="password"
                type="password"
                autoComplete="current-password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                required
                size="medium"
              />
              <Button type="submit" variant="contained" size="large" disabled={mutation.isPending || !username || !password}>
                {t("login.submit")}
              </Button>
            </Stack>
          ) : (
            <Alert severity="info">{t("login.localDisabled")}</Alert>
          )}
          <Box sx={{ display: "flex", justifyContent: "flex-end" }}>
            <LanguageSwitch />
          </Box>
        </Stack>
      </Paper>
    </Box>
  );
}
