/**
 * Delete a dataset, after a confirmation naming it and what goes with it; then back to the list. The
 * API refuses (409) while a profile or a training reads it: its message shows in the dialog.
 */
import { DialogContentText } from "@mui/material";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router";
import { deleteDataset } from "../api/client";
import { roleAllows, type Dataset, type User } from "../api/types";
import { FormDialog } from "../components/FormDialog";
import { useI18n } from "../i18n";

/**
 * Whether the page offers to delete a dataset: its owner and admins (business users and above).
 * The API also lets the owner's department delete it; a dataset does not say its department.
 */
export function mayDeleteDataset(user: User | undefined, d: Dataset): boolean {
  if (!user || !roleAllows(user.role, "business_user")) return false;
  return user.role === "admin" || d.owner === user.username;
}

export function DeleteDatasetDialog({ d, onClose }: { d: Dataset; onClose: () => void }) {
  const { t, tn } = useI18n();
  const client = useQueryClient();
  const navigate = useNavigate();
  const mutation = useMutation({
    mutationFn: () => deleteDataset(d.name),
    onSuccess: () => {
      // Leave the page first, so that its query of the deleted dataset is not asked again.
      void navigate("/datasets", { state: { flash: t("datasets.deleted", { name: d.name }) } });
      client.removeQueries({ queryKey: ["datasets", d.name] });
      void client.invalidateQueries({ queryKey: ["datasets", "list"] });
      void client.invalidateQueries({ queryKey: ["trainings"] });
    },
  });
  return (
    <FormDialog title={t("datasets.deleteTitle", { name: d.name })} onClose={onClose} action={mutation} submitLabel={t("datasets.delete")} danger>
      <DialogContentText>{tn("datasets.deleteConfirm", d.latest_version, { name: d.name })}</DialogContentText>
    </FormDialog>
  );
}
