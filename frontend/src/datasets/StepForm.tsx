/** The add-step form of the cleaning page: an operation, then the fields that operation needs. */
import AddIcon from "@mui/icons-material/Add";
import { Box, Button, Checkbox, FormControlLabel, FormGroup, FormLabel, Grid } from "@mui/material";
import { useState } from "react";
import type { CleaningOp, CleaningStep } from "../api/types";
import { FormField } from "../components/FormField";
import { useT, type MessageKey } from "../i18n";
import {
  CAST_TARGETS,
  DATE_PARTS,
  FILTER_OPERATORS,
  IMPUTE_STRATEGIES,
  LIST_VALUE,
  NO_VALUE,
  OPS,
  emptyFields,
  stepFromFields,
  type CastTarget,
  type DatePart,
  type FilterOperator,
  type ImputeStrategy,
  type StepFields,
} from "./steps";

export function StepForm({ columns, onAdd }: { columns: string[]; onAdd: (step: CleaningStep) => void }) {
  const t = useT();
  const [f, setF] = useState<StepFields>(emptyFields());
  const set = (patch: Partial<StepFields>) => setF((prev) => ({ ...prev, ...patch }));
  const step = stepFromFields(f);
  const label = (key: string) => t(key as MessageKey);
  const columnOptions = columns.map((c) => ({ value: c, label: c }));

  const columnField = (
    <FormField
      cell={{ xs: 12, sm: 6 }}
      label={t("datasets.form.column")}
      value={f.column}
      onChange={(e) => set({ column: e.target.value })}
      options={f.op === "missing_tokens" ? [{ value: "", label: t("datasets.form.everyColumn") }, ...columnOptions] : columnOptions}
    />
  );
  const manyColumns = (help: string) => (
    <FormField
      cell={{ xs: 12 }}
      label={t("datasets.form.columns")}
      value={f.columns}
      onChange={(e) => {
        const v = e.target.value as unknown;
        set({ columns: typeof v === "string" ? v.split(",") : (v as string[]) });
      }}
      options={columnOptions}
      help={help}
      slotProps={{ select: { multiple: true, renderValue: (v) => (v as string[]).join(", ") } }}
    />
  );

  let fields;
  switch (f.op) {
    case "drop_columns":
      fields = manyColumns(t("datasets.form.dropColumnsHelp"));
      break;
    case "drop_duplicates":
      fields = manyColumns(t("datasets.form.duplicatesHelp"));
      break;
    case "cast":
      fields = (
        <>
          {columnField}
          <FormField
            cell={{ xs: 12, sm: 6 }}
            label={t("datasets.form.to")}
            value={f.to}
            onChange={(e) => set({ to: e.target.value as CastTarget })}
            options={CAST_TARGETS.map((k) => ({ value: k, label: label(`datasets.kind.${k}`) }))}
          />
        </>
      );
      break;
    case "missing_tokens":
      fields = (
        <>
          {columnField}
          <FormField
            cell={{ xs: 12, sm: 6 }}
            label={t("datasets.form.tokens")}
            value={f.tokens}
            onChange={(e) => set({ tokens: e.target.value })}
            help={t("datasets.form.tokensHelp")}
          />
        </>
      );
      break;
    case "impute":
      fields = (
        <>
          {columnField}
          <FormField
            cell={{ xs: 12, sm: f.strategy === "constant" ? 3 : 6 }}
            label={t("datasets.form.strategy")}
            value={f.strategy}
            onChange={(e) => set({ strategy: e.target.value as ImputeStrategy })}
            options={IMPUTE_STRATEGIES.map((s) => ({ value: s, label: label(`datasets.strategy.${s}`) }))}
          />
          {f.strategy === "constant" && (
            <FormField cell={{ xs: 12, sm: 3 }} label={t("datasets.form.value")} value={f.value} onChange={(e) => set({ value: e.target.value })} />
          )}
        </>
      );
      break;
    case "clip":
      fields = (
        <>
          {columnField}
          <FormField cell={{ xs: 6, sm: 3 }} label={t("datasets.form.lower")} value={f.lower} onChange={(e) => set({ lower: e.target.value })} inputMode="decimal" />
          <FormField cell={{ xs: 6, sm: 3 }} label={t("datasets.form.upper")} value={f.upper} onChange={(e) => set({ upper: e.target.value })} inputMode="decimal" />
          <Grid size={12}>
            <FormControlLabel
              control={<Checkbox checked={f.quantiles} onChange={(e) => set({ quantiles: e.target.checked })} />}
              label={t("datasets.form.quantiles")}
            />
          </Grid>
        </>
      );
      break;
    case "date_parts":
      fields = (
        <>
          {columnField}
          <Grid size={12}>
            <FormLabel component="legend">{t("datasets.form.parts")}</FormLabel>
            <FormGroup row>
              {DATE_PARTS.map((p) => (
                <FormControlLabel
                  key={p}
                  control={
                    <Checkbox
                      checked={f.parts.includes(p)}
                      onChange={(e) =>
                        set({ parts: e.target.checked ? DATE_PARTS.filter((x) => x === p || f.parts.includes(x)) : f.parts.filter((x: DatePart) => x !== p) })
                      }
                    />
                  }
                  label={label(`datasets.part.${p}`)}
                />
              ))}
            </FormGroup>
            <FormControlLabel
              control={<Checkbox checked={f.drop} onChange={(e) => set({ drop: e.target.checked })} />}
              label={t("datasets.form.dropDate")}
            />
          </Grid>
        </>
      );
      break;
    case "filter_rows":
      fields = (
        <>
          {columnField}
          <FormField
            cell={{ xs: 12, sm: NO_VALUE.includes(f.operator) ? 6 : 3 }}
            label={t("datasets.form.operator")}
            value={f.operator}
            onChange={(e) => set({ operator: e.target.value as FilterOperator })}
            options={FILTER_OPERATORS.map((o) => ({ value: o, label: label(`datasets.operator.${o}`) }))}
          />
          {!NO_VALUE.includes(f.operator) && (
            <FormField
              cell={{ xs: 12, sm: 3 }}
              label={t("datasets.form.value")}
              value={f.value}
              onChange={(e) => set({ value: e.target.value })}
              help={LIST_VALUE.includes(f.operator) ? t("datasets.form.valuesHelp") : undefined}
            />
          )}
        </>
      );
      break;
  }

  return (
    <Box component="form" data-testid="step-form" onSubmit={(e) => {
      e.preventDefault();
      if (!step) return;
      onAdd(step);
      // Ready for the next step of the same kind.
      setF(emptyFields(f.op));
    }}>
      <Grid container spacing={2}>
        <FormField
          cell={12}
          label={t("datasets.form.op")}
          value={f.op}
          onChange={(e) => setF(emptyFields(e.target.value as CleaningOp))}
          options={OPS.map((op) => ({ value: op, label: label(`datasets.step.${op}`) }))}
          help={label(`datasets.step.${f.op}.help`)}
        />
        {fields}
        <Grid size={12}>
          <Button type="submit" variant="outlined" startIcon={<AddIcon />} disabled={!step}>
            {t("datasets.form.add")}
          </Button>
        </Grid>
      </Grid>
    </Box>
  );
}
