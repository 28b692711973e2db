/**
 * Edit a version's input schema, column by column: required or not, allowed values (text and integer
 * columns), description. The columns and their types stay as the model has them.
 */
import { Autocomplete, Box, Chip, Switch, TextField, Typography } from "@mui/material";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { ApiError, editVersionSchema } from "../api/client";
import { describeError } from "../api/errors";
import type { ModelVersion } from "../api/types";
import { DataTable } from "../components/DataTable";
import { FormDialog } from "../components/FormDialog";
import { useT } from "../i18n";
import { cleanCategories, draftOf, draftProblems, editErrorColumn, schemaEditBody, takesCategories, type ColumnDraft } from "./schemaEdit";

/** Allowed values as chips: typed, Enter (or leaving the field) adds one. */
function CategoriesField({
  draft,
  onChange,
  error,
}: {
  draft: ColumnDraft;
  onChange: (values: string[]) => void;
  error?: string;
}) {
  const t = useT();
  const [typed, setTyped] = useState("");
  const set = (values: string[]) => onChange(cleanCategories(draft.type, values));
  return (
    <Autocomplete
      multiple
      freeSolo
      options={[]}
      value={draft.categories}
      inputValue={typed}
      onInputChange={(_e, v) => setTyped(v)}
      onChange={(_e, v) => set(v)}
      onBlur={() => {
        if (typed.trim()) set([...draft.categories, typed]);
        setTyped("");
      }}
      renderValue={(selected, getItemProps) =>
        selected.map((v, index) => {
          const { key, ...props } = getItemProps({ index });
          return <Chip key={key} label={v} size="small" {...props} />;
        })
      }
      renderInput={(params) => (
        <TextField
          {...params}
          placeholder={draft.categories.length ? undefined : t("schema.anyValue")}
          error={!!error}
          helperText={error}
          slotProps={{
            ...params.slotProps,
            htmlInput: { ...params.slotProps.htmlInput, "aria-label": t("schema.categoriesOf", { column: draft.name }) },
          }}
        />
      )}
      sx={{ minWidth: 240 }}
    />
  );
}

export function SchemaEditor({ model, version, onClose }: { model: string; version: ModelVersion; onClose: () => void }) {
  const t = useT();
  const client = useQueryClient();
  const columns = useMemo(() => version.input_schema.columns ?? [], [version]);
  const [drafts, setDrafts] = useState(() => draftOf(columns));
  const [filter, setFilter] = useState("");
  const body = schemaEditBody(columns, drafts);
  const problems = draftProblems(drafts);
  const mutation = useMutation({
    mutationFn: (edit: NonNullable<typeof body>) => editVersionSchema(model, String(version.version), edit),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["versions", model] });
      void client.invalidateQueries({ queryKey: ["version", model] });
      void client.invalidateQueries({ queryKey: ["model", model] });
      onClose();
    },
  });
  // The API's refusal goes under the column it names (its field indexes the request's columns).
  const sentBody = mutation.variables ?? null;
  const refused = mutation.error instanceof ApiError ? editErrorColumn(mutation.error.field, sentBody) : null;
  const errorOf = (column: string, part: "categories" | "description"): string | undefined => {
    const problem = problems.find((p) => p.column === column && p.part === part);
    if (problem) return t(problem.key, problem.vars);
    if (refused && refused.column === column && (refused.part === part || (part === "categories" && refused.part === "name"))) {
      return describeError(mutation.error, t);
    }
    return undefined;
  };
  const change = (name: string, patch: Partial<ColumnDraft>) => {
    setDrafts((list) => list.map((d) => (d.name === name ? { ...d, ...patch } : d)));
  };
  const needle = filter.trim().toLowerCase();
  const shown = needle ? drafts.filter((d) => d.name.toLowerCase().includes(needle)) : drafts;
  return (
    <FormDialog
      title={t("schema.editTitle", { name: model, n: version.version })}
      onClose={onClose}
      action={{ mutate: () => body && mutation.mutate(body), isPending: mutation.isPending, error: mutation.error }}
      submitLabel={t("common.save")}
      canSubmit={!!body && problems.length === 0}
      error={refused ? null : mutation.error}
      width={1000}
    >
      <Typography variant="body2" color="text.secondary">
        {t("schema.editHelp")}
      </Typography>
      {drafts.length > 12 && (
        <TextField label={t("schema.findColumn")} value={filter} onChange={(e) => setFilter(e.target.value)} sx={{ maxWidth: 320 }} />
      )}
      <Box sx={{ overflowX: "auto" }} data-testid="schema-editor">
        <DataTable
          rows={shown}
          rowKey={(d) => d.name}
          columns={[
            {
              label: t("model.column"),
              rowHeader: true,
              sx: { verticalAlign: "top", pt: 2 },
              cell: (d) => (
                <>
                  <Box component="code">{d.name}</Box>
                  <Typography variant="body2" color="text.secondary">
                    {d.type}
                  </Typography>
                </>
              ),
            },
            {
              label: t("schema.required"),
              sx: { verticalAlign: "top" },
              cell: (d) => (
                <Switch
                  checked={!d.nullable}
                  onChange={(e) => change(d.name, { nullable: !e.target.checked })}
                  slotProps={{ input: { "aria-label": t("schema.requiredOf", { column: d.name }) } }}
                />
              ),
            },
            {
              label: t("model.range"),
              sx: { verticalAlign: "top", minWidth: 260 },
              cell: (d) =>
                takesCategories(d.type) ? (
                  <CategoriesField draft={d} onChange={(categories) => change(d.name, { categories })} error={errorOf(d.name, "categories")} />
                ) : (
                  <Typography variant="body2" color="text.secondary" sx={{ pt: 1 }}>
                    {t("schema.noCategoriesForType")}
                  </Typography>
                ),
            },
            {
              label: t("field.description"),
              sx: { verticalAlign: "top", minWidth: 240 },
              cell: (d) => (
                <TextField
                  fullWidth
                  multiline
                  maxRows={4}
                  value={d.description}
                  onChange={(e) => change(d.name, { description: e.target.value })}
                  error={!!errorOf(d.name, "description")}
                  helperText={errorOf(d.name, "description")}
                  slotProps={{ htmlInput: { "aria-label": t("schema.descriptionOf", { column: d.name }) } }}
                />
              ),
            },
          ]}
        />
      </Box>
    </FormDialog>
  );
}
