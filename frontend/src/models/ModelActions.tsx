/**
 * Everyday management of a model on its page (data scientists): edit its card, archive or restore it,
 * delete it. Archive and delete are refused while deployments use the model: the refusal names them.
 */
import ArchiveIcon from "@mui/icons-material/Archive";
import DeleteIcon from "@mui/icons-material/Delete";
import EditIcon from "@mui/icons-material/Edit";
import MoreVertIcon from "@mui/icons-material/MoreVert";
import UnarchiveIcon from "@mui/icons-material/Unarchive";
import { Alert, Button, DialogContentText, IconButton, ListItemIcon, ListItemText, Menu, MenuItem } from "@mui/material";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { Link as RouterLink, useNavigate } from "react-router";
import { archiveModel, deleteModel, restoreModel } from "../api/client";
import { blockingDeployments } from "../api/errors";
import type { Model, ModelVersion } from "../api/types";
import { useUser } from "../auth/session";
import { FormDialog } from "../components/FormDialog";
import { useI18n, useT } from "../i18n";
import { mayChangeModel, mayDeleteModel } from "./permissions";
import { EditCardDialog } from "./EditCardDialog";
import { SchemaEditor } from "./SchemaEditor";

type Open = "card" | "archive" | "delete" | null;

/** The deployments that stand in the way, as links to their pages. */
function Blocking({ error }: { error: unknown }) {
  const t = useT();
  const names = blockingDeployments(error);
  if (!names.length) return null;
  return (
    <Alert severity="info" role="status" data-testid="blocking-deployments">
      {t("model.blockingHelp")}{" "}
      {names.map((n, i) => (
        <span key={n}>
          {i > 0 && ", "}
          <RouterLink to={`/deployments/${encodeURIComponent(n)}`}>{n}</RouterLink>
        </span>
      ))}
    </Alert>
  );
}

function ArchiveDialog({ model, onClose }: { model: Model; onClose: () => void }) {
  const t = useT();
  const client = useQueryClient();
  const mutation = useMutation({
    mutationFn: () => archiveModel(model.name),
    onSuccess: (updated) => {
      client.setQueryData(["model", model.name], updated);
      void client.invalidateQueries({ queryKey: ["models"] });
      onClose();
    },
  });
  return (
    <FormDialog title={t("model.archiveTitle", { name: model.title })} onClose={onClose} action={mutation} submitLabel={t("model.archive")}>
      <DialogContentText>{t("model.archiveConfirm")}</DialogContentText>
      <Blocking error={mutation.error} />
    </FormDialog>
  );
}

function DeleteDialog({ model, onClose }: { model: Model; onClose: () => void }) {
  const t = useT();
  const client = useQueryClient();
  const navigate = useNavigate();
  const mutation = useMutation({
    mutationFn: () => deleteModel(model.name),
    onSuccess: () => {
      client.removeQueries({ queryKey: ["model", model.name] });
      client.removeQueries({ queryKey: ["versions", model.name] });
      void client.invalidateQueries({ queryKey: ["models"] });
      void navigate("/models", { state: { flash: t("model.deleted", { name: model.name }) } });
    },
  });
  return (
    <FormDialog title={t("model.deleteTitle", { name: model.title })} onClose={onClose} action={mutation} submitLabel={t("model.delete")} danger>
      <DialogContentText>{t("model.deleteConfirm", { name: model.name, n: model.version_count })}</DialogContentText>
      <Blocking error={mutation.error} />
    </FormDialog>
  );
}

/** "Edit the card" and a menu with archive (or restore) and delete, for those who may change the model. */
export function ModelActions({ model }: { model: Model }) {
  const user = useUser();
  if (!mayChangeModel(user, model)) return null;
  return <Actions model={model} canDelete={mayDeleteModel(user, model)} />;
}

function Actions({ model, canDelete }: { model: Model; canDelete: boolean }) {
  const t = useT();
  const client = useQueryClient();
  const menuId = useId();
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const [open, setOpen] = useState<Open>(null);
  const archived = model.state === "archived";
  const restore = useMutation({
    mutationFn: () => restoreModel(model.name),
    onSuccess: (updated) => {
      client.setQueryData(["model", model.name], updated);
      void client.invalidateQueries({ queryKey: ["models"] });
    },
  });
  const pick = (what: Open) => {
    setAnchor(null);
    if (what === "archive" && archived) restore.mutate();
    else setOpen(what);
  };
  return (
    <>
      <Button variant="outlined" startIcon={<EditIcon />} onClick={() => setOpen("card")}>
        {t("model.editCard")}
      </Button>
      <IconButton
        aria-label={t("model.moreActions")}
        aria-controls={anchor ? menuId : undefined}
        aria-haspopup="menu"
        aria-expanded={anchor ? "true" : undefined}
        onClick={(e) => setAnchor(e.currentTarget)}
      >
        <MoreVertIcon />
      </IconButton>
      <Menu id={menuId} anchorEl={anchor} open={!!anchor} onClose={() => setAnchor(null)}>
        <MenuItem onClick={() => pick("archive")} disabled={restore.isPending}>
          <ListItemIcon>{archived ? <UnarchiveIcon fontSize="small" /> : <ArchiveIcon fontSize="small" />}</ListItemIcon>
          <ListItemText>{archived ? t("model.restore") : t("model.archive")}</ListItemText>
        </MenuItem>
        {canDelete && (
          <MenuItem onClick={() => pick("delete")}>
            <ListItemIcon>
              <DeleteIcon fontSize="small" color="error" />
            </ListItemIcon>
            <ListItemText>{t("model.delete")}</ListItemText>
          </MenuItem>
        )}
      </Menu>
      {restore.error != null && <RestoreError error={restore.error} onClose={() => restore.reset()} />}
      {open === "card" && <EditCardDialog model={model} onClose={() => setOpen(null)} />}
      {open === "archive" && <ArchiveDialog model={model} onClose={() => setOpen(null)} />}
      {open === "delete" && <DeleteDialog model={model} onClose={() => setOpen(null)} />}
    </>
  );
}

function RestoreError({ error, onClose }: { error: unknown; onClose: () => void }) {
  const t = useT();
  return (
    <FormDialog title={t("model.restore")} onClose={onClose} error={error}>
      {null}
    </FormDialog>
  );
}

/** Above an archived model's page: since when, and what it means. */
export function ArchivedNotice({ model }: { model: Model }) {
  const { t, day } = useI18n();
  if (model.state !== "archived") return null;
  return (
    <Alert severity="warning" sx={{ mb: 2 }} data-testid="archived-notice">
      {t("model.archivedNotice", { when: day(model.archived_at) })}
    </Alert>
  );
}

/** The schema section's "Edit" (for those who may change the model): the editor of the version shown. */
export function EditSchemaButton({ model, version }: { model: Model; version: ModelVersion }) {
  const t = useT();
  const user = useUser();
  const [open, setOpen] = useState(false);
  if (!mayChangeModel(user, model)) return null;
  return (
    <>
      <Button variant="outlined" size="small" startIcon={<EditIcon />} onClick={() => setOpen(true)} disabled={!(version.input_schema.columns ?? []).length}>
        {t("schema.edit")}
      </Button>
      {open && <SchemaEditor model={model.name} version={version} onClose={() => setOpen(false)} />}
    </>
  );
}
