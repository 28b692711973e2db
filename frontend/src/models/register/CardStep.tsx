/** The model card: title and name, department, visibility, use case, markets, brands, tags and description. */
import { Grid } from "@mui/material";
import { useState } from "react";
import { FormField, type FieldError } from "../../components/FormField";
import { Section } from "../../components/Section";
import { useT, type MessageKey } from "../../i18n";
import { slugify } from "../../lib/text";
import { DEPARTMENTS, VISIBILITIES, type CardFields } from "./card";

export { CARD_FIELDS, DEPARTMENTS, EMPTY_CARD, modelCreate, type CardFields } from "./card";

/** The fields after title, name, department and visibility: label, help, width on a wide screen, test id. */
const MORE_FIELDS: { key: keyof CardFields; label: MessageKey; help?: MessageKey; width: 4 | 6 | 12; testId?: string }[] = [
  { key: "use_case", label: "register.useCase", width: 6 },
  { key: "markets", label: "register.markets", help: "register.marketsHelp", width: 4, testId: "field-markets" },
  { key: "brands", label: "register.brands", help: "register.brandsHelp", width: 4 },
  { key: "tags", label: "register.tags", help: "register.tagsHelp", width: 4 },
];

/**
 * The card's fields on a grid, shared by "register a model" and "edit the card". `withName`: the
 * identifier can be typed (a registered model keeps its name).
 */
export function CardFieldsGrid({
  card,
  onChange,
  errors,
  disabled = false,
  withName = true,
}: {
  card: CardFields;
  onChange: (card: CardFields) => void;
  errors: FieldError;
  disabled?: boolean;
  withName?: boolean;
}) {
  const t = useT();
  // The name follows the title until the user types one.
  const [nameTouched, setNameTouched] = useState(false);
  const bind = (k: keyof CardFields, testId?: string) => ({
    field: k,
    errors,
    disabled,
    value: card[k],
    onChange: (e: { target: { value: string } }) => {
      const value = e.target.value;
      if (k === "name") setNameTouched(true);
      const follow = withName && k === "title" && !nameTouched;
      onChange({ ...card, [k]: value, ...(follow ? { name: slugify(value) } : {}) });
    },
    slotProps: testId ? { htmlInput: { "data-testid": testId } } : undefined,
  });
  const departments: string[] = [...DEPARTMENTS];
  if (card.department && !departments.includes(card.department)) departments.push(card.department);
  const half = withName ? 6 : 12;
  return (
    <Grid container spacing={2}>
      <FormField cell={{ xs: 12, md: half }} required label={t("register.titleField")} {...bind("title", "field-title")} />
      {withName && (
        <FormField cell={{ xs: 12, md: 6 }} required label={t("register.name")} help={t("register.nameHelp")} {...bind("name", "field-name")} />
      )}
      <FormField
        cell={{ xs: 12, md: 6 }}
        required
        label={t("register.department")}
        options={departments}
        {...bind("department")}
        slotProps={{ select: { SelectDisplayProps: { "data-testid": "field-department" } as object } }}
      />
      <FormField
        cell={{ xs: 12, md: 6 }}
        label={t("model.visibility")}
        help={t(`visibility.${card.visibility}.help` as MessageKey)}
        options={VISIBILITIES.map((v) => ({ value: v, label: t(`visibility.${v}` as MessageKey) }))}
        {...bind("visibility")}
        slotProps={{ select: { SelectDisplayProps: { "data-testid": "field-visibility" } as object } }}
      />
      {MORE_FIELDS.map(({ key, label, help, width, testId }) => (
        <FormField key={key} cell={{ xs: 12, md: width }} label={t(label)} help={help && t(help)} {...bind(key, testId)} />
      ))}
      <FormField cell={12} multiline minRows={6} label={t("register.description")} {...bind("description", "field-description")} />
    </Grid>
  );
}

export function CardStep({
  card,
  onChange,
  errors,
  locked,
}: {
  card: CardFields;
  onChange: (card: CardFields) => void;
  errors: FieldError;
  /** The card is saved already (its version was refused): only the version can change now. */
  locked: boolean;
}) {
  const t = useT();
  return (
    <Section title={t("register.card")}>
      <CardFieldsGrid card={card} onChange={onChange} errors={errors} disabled={locked} />
    </Section>
  );
}
