/** The form generated from a version's input schema (react-jsonschema-form, MUI theme): a few rows. */
import { Box, Typography } from "@mui/material";
import { Form } from "@rjsf/mui";
import type { ObjectFieldTemplateProps } from "@rjsf/utils";
import { useMemo, useState } from "react";
import type { ColumnSpec } from "../api/types";
import { useT } from "../i18n";
import { makeRowValidator } from "../lib/rowValidator";
import { rowsSchema, rowsUiSchema, toRecords, type Row } from "../lib/schemaForm";

/** One row's columns side by side on a grid, so a row of ten columns fits a 1280 px screen. */
function RowTemplate({ title, properties }: ObjectFieldTemplateProps) {
  return (
    <Box>
      {title && (
        <Typography variant="h4" component="h3" sx={{ mb: 1 }}>
          {title}
        </Typography>
      )}
      <Box sx={{ display: "grid", gridTemplateColumns: "repeat(auto-fill, minmax(200px, 1fr))", gap: 2, pt: 1 }}>
        {properties.filter((p) => !p.hidden).map((p) => (
          <Box key={p.name}>{p.content}</Box>
        ))}
      </Box>
    </Box>
  );
}

export function SchemaForm({
  columns,
  example,
  submitLabel,
  disabled,
  onSubmit,
}: {
  columns: ColumnSpec[];
  example?: Row | null;
  submitLabel: string;
  disabled?: boolean;
  onSubmit: (records: Row[]) => void;
}) {
  const t = useT();
  const validator = useMemo(() => makeRowValidator(t), [t]);
  const schema = useMemo(() => rowsSchema(columns, example), [columns, example]);
  const uiSchema = useMemo(
    () => ({ ...rowsUiSchema(columns), "ui:submitButtonOptions": { submitText: submitLabel, props: { disabled } } }),
    [columns, submitLabel, disabled],
  );
  const [data, setData] = useState<Row[] | undefined>(undefined);
  return (
    <Form
      schema={schema}
      uiSchema={uiSchema}
      validator={validator}
      templates={{ ObjectFieldTemplate: RowTemplate }}
      formData={data}
      onChange={(e) => setData(e.formData as Row[])}
      onSubmit={(e) => onSubmit(toRecords(columns, (e.formData as Row[] | undefined) ?? []))}
      showErrorList={false}
      noHtml5Validate
      idPrefix="run"
    />
  );
}
