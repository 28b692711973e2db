/**
 * A dataset from a SQL query (data scientists): a connection the server knows, the query, a name and
 * a description. The server runs the query once and stores its rows as a dataset version; the API's
 * refusal (unknown connection, a query that fails or returns nothing, a name taken) shows under the
 * field it names.
 */
import { DialogContentText, LinearProgress } from "@mui/material";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { listConnections, snapshotDataset } from "../api/client";
import { fieldErrors } from "../api/errors";
import type { Dataset } from "../api/types";
import { FormDialog } from "../components/FormDialog";
import { FormField } from "../components/FormField";
import { useT } from "../i18n";

const MONOSPACE = { htmlInput: { spellCheck: false, style: { fontFamily: "monospace" } } };

export function SqlDatasetDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (dataset: Dataset) => void }) {
  const t = useT();
  const client = useQueryClient();
  const connections = useQuery({ queryKey: ["connections"], queryFn: listConnections, staleTime: 60_000 });
  const known = connections.data ?? [];
  const [chosen, setChosen] = useState<string | null>(null);
  // With one connection only, it is the one.
  const connection = chosen ?? (known.length === 1 ? known[0].name : "");
  const [query, setQuery] = useState("");
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const snapshot = useMutation({
    mutationFn: () => snapshotDataset({ connection, query: query.trim(), name: name.trim(), description: description.trim() }),
    onSuccess: (d) => {
      void client.invalidateQueries({ queryKey: ["datasets"] });
      onCreated(d);
    },
  });
  const errors = fieldErrors(snapshot.error, ["connection", "query", "name", "description"], t);
  const none = connections.isSuccess && known.length === 0;
  return (
    <FormDialog
      title={t("datasets.sql.title")}
      onClose={onClose}
      action={snapshot}
      error={errors.unplaced ?? (connections.isError ? connections.error : null)}
      submitLabel={t("datasets.sql.submit")}
      canSubmit={!!connection && !!query.trim() && !!name.trim()}
      width={640}
    >
      <DialogContentText>{t("datasets.sql.intro")}</DialogContentText>
      <FormField
        label={t("datasets.sql.connection")}
        value={connection}
        onChange={(e) => setChosen(e.target.value)}
        field="connection"
        errors={errors.of}
        help={none ? t("datasets.sql.noConnections") : t("datasets.sql.connectionHelp")}
        disabled={none}
        required
        options={known.map((c) => ({ value: c.name, label: `${c.name} (${c.kind})` }))}
      />
      <FormField
        label={t("datasets.sql.query")}
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        field="query"
        errors={errors.of}
        help={t("datasets.sql.queryHelp")}
        required
        multiline
        minRows={5}
        maxRows={16}
        placeholder="SELECT * FROM customers WHERE country = 'FR'"
        slotProps={MONOSPACE}
      />
      <FormField
        label={t("common.name")}
        value={name}
        onChange={(e) => setName(e.target.value)}
        field="name"
        errors={errors.of}
        help={t("datasets.sql.nameHelp")}
        required
      />
      <FormField
        label={t("datasets.description")}
        value={description}
        onChange={(e) => setDescription(e.target.value)}
        field="description"
        errors={errors.of}
        multiline
        minRows={2}
      />
      {snapshot.isPending && <LinearProgress aria-label={t("datasets.sql.running")} />}
    </FormDialog>
  );
}
