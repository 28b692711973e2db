/** Edit a dataset's description and who sees it (everyone, or the owner's department). */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { updateDataset } from "../api/client";
import { fieldErrors } from "../api/errors";
import type { Dataset, DatasetUpdate, Visibility } from "../api/types";
import { FormDialog } from "../components/FormDialog";
import { FormField } from "../components/FormField";
import { useT } from "../i18n";

export function EditDatasetDialog({ d, onClose }: { d: Dataset; onClose: () => void }) {
  const t = useT();
  const client = useQueryClient();
  const [description, setDescription] = useState(d.description);
  const [visibility, setVisibility] = useState<Visibility>(d.visibility);
  const changes: DatasetUpdate = {};
  if (description !== d.description) changes.description = description;
  if (visibility !== d.visibility) changes.visibility = visibility;
  const mutation = useMutation({
    mutationFn: () => updateDataset(d.name, changes),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["datasets"] });
      onClose();
    },
  });
  const errors = fieldErrors(mutation.error, ["description", "visibility"], t);
  return (
    <FormDialog
      title={t("datasets.editTitle", { name: d.name })}
      onClose={onClose}
      action={mutation}
      submitLabel={t("common.save")}
      canSubmit={Object.keys(changes).length > 0}
      error={errors.unplaced}
      width={520}
    >
      <FormField
        label={t("datasets.description")}
        value={description}
        onChange={(e) => setDescription(e.target.value)}
        field="description"
        errors={errors.of}
        multiline
        minRows={3}
      />
      <FormField
        label={t("field.visibility")}
        value={visibility}
        onChange={(e) => setVisibility(e.target.value as Visibility)}
        field="visibility"
        errors={errors.of}
        options={[
          { value: "company", label: t("visibility.company") },
          { value: "restricted", label: t("visibility.restricted") },
        ]}
        help={t(visibility === "restricted" ? "visibility.restricted.help" : "visibility.company.help")}
      />
    </FormDialog>
  );
}
