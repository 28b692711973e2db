/** Users: create one, change a role or a department, switch an account off. */
import EditIcon from "@mui/icons-material/Edit";
import { Autocomplete, Box, IconButton, Switch, TextField } from "@mui/material";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { createUser, listUsers, updateUser } from "../api/client";
import { fieldErrors } from "../api/errors";
import { ROLES, type Role, type User, type UserCreate, type UserUpdate } from "../api/types";
import { QueryTable } from "../components/DataTable";
import { FormDialog } from "../components/FormDialog";
import { FormField, type Option } from "../components/FormField";
import { InlineError } from "../components/States";
import { DEPARTMENTS } from "../models/register/card";
import { useI18n, useT, type MessageKey, type Translate } from "../i18n";
import { WithCreate } from "./WithCreate";

const USERS_KEY = ["users"] as const;

function roleChoices(t: Translate): Option[] {
  return ROLES.map((r) => ({ value: r, label: t(`role.${r}` as MessageKey) }));
}

function NewUserDialog({ onClose }: { onClose: () => void }) {
  const t = useT();
  const client = useQueryClient();
  const [form, setForm] = useState({ username: "", display_name: "", email: "", role: "viewer" as Role, department: "", password: "" });
  const body = (): UserCreate => ({
    username: form.username.trim(),
    role: form.role,
    department: form.department.trim() || null,
    display_name: form.display_name.trim() || null,
    email: form.email.trim() || null,
    password: form.password || null,
  });
  const mutation = useMutation({
    mutationFn: () => createUser(body()),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: USERS_KEY });
      onClose();
    },
  });
  const errors = fieldErrors(mutation.error, ["username", "display_name", "email", "role", "department", "password"], t);
  const bind = (k: keyof typeof form) => ({
    field: k,
    errors: errors.of,
    value: form[k],
    onChange: (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value }),
  });
  return (
    <FormDialog
      title={t("admin.newUser")}
      onClose={onClose}
      action={mutation}
      submitLabel={t("common.create")}
      canSubmit={!!form.username.trim()}
      error={errors.unplaced}
    >
      <FormField label={t("admin.username")} required {...bind("username")} />
      <FormField label={t("admin.displayName")} {...bind("display_name")} />
      <FormField label={t("admin.email")} {...bind("email")} />
      <FormField label={t("admin.role")} options={roleChoices(t)} {...bind("role")} />
      <FormField label={t("common.department")} help={t("admin.departmentHelp")} {...bind("department")} />
      <FormField label={t("admin.password")} type="password" autoComplete="new-password" {...bind("password")} />
    </FormDialog>
  );
}

/** A control that changes one user (role, active) as soon as it is used; its error shows under it. */
function UserChange({ user, children }: { user: User; children: (save: (body: UserUpdate) => void) => ReactNode }) {
  const client = useQueryClient();
  const mutation = useMutation({
    mutationFn: (body: UserUpdate) => updateUser(user.username, body),
    onSuccess: () => void client.invalidateQueries({ queryKey: USERS_KEY }),
  });
  return (
    <>
      {children((body) => mutation.mutate(body))}
      <InlineError error={mutation.error} />
    </>
  );
}

/** The departments to offer: the usual ones and those users have already. */
export function departmentsOf(users: User[]): string[] {
  const all = new Set<string>(DEPARTMENTS);
  for (const u of users) if (u.department) all.add(u.department);
  return [...all].sort();
}

function DepartmentDialog({ user, known, onClose }: { user: User; known: string[]; onClose: () => void }) {
  const t = useT();
  const client = useQueryClient();
  const [department, setDepartment] = useState(user.department ?? "");
  const mutation = useMutation({
    mutationFn: () => updateUser(user.username, { department: department.trim() || null }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: USERS_KEY });
      onClose();
    },
  });
  const errors = fieldErrors(mutation.error, ["department"], t);
  return (
    <FormDialog
      title={t("admin.departmentTitle", { name: user.display_name || user.username })}
      onClose={onClose}
      action={mutation}
      submitLabel={t("common.save")}
      canSubmit={department.trim() !== (user.department ?? "")}
      error={errors.unplaced}
    >
      <Autocomplete
        freeSolo
        options={known}
        value={department}
        inputValue={department}
        onInputChange={(_e, v) => setDepartment(v)}
        onChange={(_e, v) => setDepartment(v ?? "")}
        renderInput={(params) => (
          <TextField
            {...params}
            label={t("common.department")}
            error={!!errors.of("department")}
            helperText={errors.of("department") ?? t("admin.departmentHelp")}
          />
        )}
      />
    </FormDialog>
  );
}

/** A user's department and the button that changes it. */
function DepartmentCell({ user, known }: { user: User; known: string[] }) {
  const t = useT();
  const [open, setOpen] = useState(false);
  return (
    <Box sx={{ display: "flex", alignItems: "center", gap: 0.5, whiteSpace: "nowrap" }}>
      <span data-testid={`department-${user.username}`}>{user.department ?? "–"}</span>
      <IconButton size="small" aria-label={t("admin.changeDepartment", { name: user.username })} onClick={() => setOpen(true)}>
        <EditIcon fontSize="small" />
      </IconButton>
      {open && <DepartmentDialog user={user} known={known} onClose={() => setOpen(false)} />}
    </Box>
  );
}

export function UsersTab() {
  const { t, when } = useI18n();
  const q = useQuery({ queryKey: [...USERS_KEY], queryFn: () => listUsers({ page_size: 200 }) });
  return (
    <WithCreate label={t("admin.newUser")} dialog={(close) => <NewUserDialog onClose={close} />}>
      <QueryTable
        query={q}
        empty={t("admin.noUsers")}
        testId="users-table"
        rows={(data) => data.items}
        rowKey={(u) => u.id}
        columns={[
          { label: t("admin.username"), cell: (u) => u.username },
          { label: t("admin.displayName"), cell: (u) => u.display_name ?? "" },
          { label: t("admin.email"), cell: (u) => u.email ?? "" },
          {
            label: t("admin.role"),
            cell: (u) => (
              <UserChange user={u}>
                {(save) => (
                  <FormField
                    value={u.role}
                    onChange={(e) => save({ role: e.target.value as Role })}
                    options={roleChoices(t)}
                    slotProps={{ htmlInput: { "aria-label": `${t("admin.role")} ${u.username}` } }}
                    sx={{ minWidth: 170 }}
                  />
                )}
              </UserChange>
            ),
          },
          {
            label: t("admin.active"),
            cell: (u) => (
              <UserChange user={u}>
                {(save) => (
                  <Switch
                    checked={u.is_active}
                    onChange={(e) => save({ is_active: e.target.checked })}
                    slotProps={{ input: { "aria-label": `${t("admin.active")} ${u.username}` } }}
                  />
                )}
              </UserChange>
            ),
          },
          {
            label: t("common.department"),
            cell: (u) => <DepartmentCell user={u} known={departmentsOf(q.data?.items ?? [])} />,
          },
          { label: t("admin.source"), cell: (u) => u.auth_source },
          { label: t("admin.lastLogin"), cell: (u) => when(u.last_login_at) },
        ]}
      />
    </WithCreate>
  );
}
