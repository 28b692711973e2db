import {
  Alert,
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  MenuItem,
  Stack,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
} from "@mui/material";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { createUser, listUsers, updateUser } from "../api/client";
import { describeError, errorField } from "../api/errors";
import { ROLES, type Role, type User, type UserUpdate } from "../api/types";
import { QueryState } from "../components/States";
import { useI18n, useT, type MessageKey } from "../i18n";

const USERS_KEY = ["users"] as const;

function NewUserDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const t = useT();
  const client = useQueryClient();
  const [form, setForm] = useState({ username: "", display_name: "", email: "", role: "viewer" as Role, password: "" });
  const mutation = useMutation({
    mutationFn: () =>
      createUser({
        username: form.username.trim(),
        role: form.role,
        display_name: form.display_name.trim() || null,
        email: form.email.trim() || null,
        password: form.password || null,
      }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: USERS_KEY });
      onClose();
    },
  });
  const field = errorField(mutation.error, ["username", "display_name", "email", "role", "password"]);
  const fe = (f: string) => (field === f ? describeError(mutation.error, t) : undefined);
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  return (
    <Dialog open={open} onClose={onClose} aria-labelledby="new-user-title">
      <DialogTitle id="new-user-title">{t("admin.newUser")}</DialogTitle>
      <DialogContent>
        <Stack spacing={2} sx={{ mt: 1, width: 420 }}>
          {mutation.isError && !field && <Alert severity="error">{describeError(mutation.error, t)}</Alert>}
          <TextField label={t("admin.username")} value={form.username} onChange={set("username")} required error={!!fe("username")} helperText={fe("username")} />
          <TextField label={t("admin.displayName")} value={form.display_name} onChange={set("display_name")} error={!!fe("display_name")} helperText={fe("display_name")} />
          <TextField label={t("admin.email")} value={form.email} onChange={set("email")} error={!!fe("email")} helperText={fe("email")} />
          <TextField select label={t("admin.role")} value={form.role} onChange={set("role")}>
            {ROLES.map((r) => (
              <MenuItem key={r} value={r}>
                {t(`role.${r}` as MessageKey)}
              </MenuItem>
            ))}
          </TextField>
          <TextField label={t("admin.password")} type="password" value={form.password} onChange={set("password")} error={!!fe("password")} helperText={fe("password")} autoComplete="new-password" />
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{t("common.cancel")}</Button>
        <Button variant="contained" onClick={() => mutation.mutate()} disabled={!form.username.trim() || mutation.isPending}>
          {t("common.create")}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

function UserRow({ user }: { user: User }) {
  const { t, locale } = useI18n();
  const client = useQueryClient();
  const mutation = useMutation({
    mutationFn: (body: UserUpdate) => updateUser(user.username, body),
    onSuccess: () => void client.invalidateQueries({ queryKey: USERS_KEY }),
  });
  return (
    <TableRow>
      <TableCell>{user.username}</TableCell>
      <TableCell>{user.display_name ?? ""}</TableCell>
      <TableCell>{user.email ?? ""}</TableCell>
      <TableCell>
        <TextField
          select
          size="small"
          value={user.role}
          onChange={(e) => mutation.mutate({ role: e.target.value as Role })}
          slotProps={{ htmlInput: { "aria-label": `${t("admin.role")} ${user.username}` } }}
          sx={{ minWidth: 170 }}
        >
          {ROLES.map((r) => (
            <MenuItem key={r} value={r}>
              {t(`role.${r}` as MessageKey)}
            </MenuItem>
          ))}
        </TextField>
        {mutation.isError && (
          <Box sx={{ color: "error.main", fontSize: 13 }} role="alert">
            {describeError(mutation.error, t)}
          </Box>
        )}
      </TableCell>
      <TableCell>
        <Switch
          checked={user.is_active}
          onChange={(e) => mutation.mutate({ is_active: e.target.checked })}
          slotProps={{ input: { "aria-label": `${t("admin.active")} ${user.username}` } }}
        />
      </TableCell>
      <TableCell>{user.auth_source}</TableCell>
      <TableCell>{user.last_login_at ? new Date(user.last_login_at).toLocaleString(locale) : "–"}</TableCell>
    </TableRow>
  );
}

export function UsersTab() {
  const t = useT();
  const [open, setOpen] = useState(false);
  const q = useQuery({ queryKey: [...USERS_KEY], queryFn: () => listUsers({ page_size: 200 }) });
  return (
    <Box>
      <Button variant="contained" onClick={() => setOpen(true)} sx={{ mb: 2 }}>
        {t("admin.newUser")}
      </Button>
      <QueryState query={q} isEmpty={(d) => d.items.length === 0} empty={t("admin.noUsers")}>
        {(data) => (
          <Table size="small" data-testid="users-table">
            <TableHead>
              <TableRow>
                <TableCell>{t("admin.username")}</TableCell>
                <TableCell>{t("admin.displayName")}</TableCell>
                <TableCell>{t("admin.email")}</TableCell>
                <TableCell>{t("admin.role")}</TableCell>
                <TableCell>{t("admin.active")}</TableCell>
                <TableCell>{t("admin.source")}</TableCell>
                <TableCell>{t("admin.lastLogin")}</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {data.items.map((u) => (
                <UserRow key={u.id} user={u} />
              ))}
            </TableBody>
          </Table>
        )}
      </QueryState>
      {open && <NewUserDialog open={open} onClose={() => setOpen(false)} />}
    </Box>
  );
}
