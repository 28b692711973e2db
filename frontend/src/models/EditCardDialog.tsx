/** Edit a model's card (title, description, department, visibility, use case, markets, brands, tags). */
import { Alert } from "@mui/material";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { updateModel } from "../api/client";
import { fieldErrors } from "../api/errors";
import type { Model } from "../api/types";
import { FormDialog } from "../components/FormDialog";
import { useT } from "../i18n";
import { CARD_FIELDS, cardFromModel, modelUpdate } from "./register/card";
import { CardFieldsGrid } from "./register/CardStep";

export function EditCardDialog({ model, onClose }: { model: Model; onClose: () => void }) {
  const t = useT();
  const client = useQueryClient();
  const [card, setCard] = useState(() => cardFromModel(model));
  const changes = modelUpdate(model, card);
  const changed = Object.keys(changes).length > 0;
  const mutation = useMutation({
    mutationFn: () => updateModel(model.name, changes),
    onSuccess: (updated) => {
      client.setQueryData(["model", model.name], updated);
      void client.invalidateQueries({ queryKey: ["models"] });
      onClose();
    },
  });
  const errors = fieldErrors(mutation.error, CARD_FIELDS, t);
  return (
    <FormDialog
      title={t("model.editCardTitle", { name: model.name })}
      onClose={onClose}
      action={mutation}
      submitLabel={t("common.save")}
      canSubmit={changed && !!card.title.trim() && !!card.department}
      error={errors.unplaced}
      width={720}
    >
      {card.visibility !== model.visibility && card.visibility === "restricted" && (
        <Alert severity="info">{t("model.restrictHelp", { department: card.department })}</Alert>
      )}
      <CardFieldsGrid card={card} onChange={setCard} errors={errors.of} withName={false} />
    </FormDialog>
  );
}
