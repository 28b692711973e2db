/** The model card: title and name, department, use case, markets, brands, tags and description. */
import { Grid } from "@mui/material";
import { useState } from "react";
import type { ModelCreate } from "../../api/types";
import { FormField, type FieldError } from "../../components/FormField";
import { Section } from "../../components/Section";
import { useT, type MessageKey } from "../../i18n";
import { slugify, splitList } from "../../lib/text";

export const DEPARTMENTS = ["rd", "marketing", "supply-chain", "sales", "hr", "finance"] as const;

/** The API's names of the fields a card's error may be about. */
export const CARD_FIELDS = ["name", "title", "description", "department", "markets", "brands", "use_case", "tags"] as const;

/** The card as typed: lists are comma-separated text until sent. */
export type CardFields = Record<(typeof CARD_FIELDS)[number], string>;

export const EMPTY_CARD: CardFields = {
  name: "",
  title: "",
  description: "",
  department: "",
  markets: "",
  brands: "",
  use_case: "",
  tags: "",
};

/** The card as the API takes it. */
export function modelCreate(card: CardFields): ModelCreate {
  return {
    name: card.name.trim(),
    title: card.title.trim(),
    description: card.description,
    department: card.department,
    markets: splitList(card.markets),
    brands: splitList(card.brands),
    use_case: card.use_case.trim() || null,
    tags: splitList(card.tags),
    visibility: "company",
  };
}

/** The fields after title, name and department: label, help, width on a wide screen, test id. */
const MORE_FIELDS: { key: keyof CardFields; label: MessageKey; help?: MessageKey; width: 4 | 6 | 12; testId?: string }[] = [
  { key: "use_case", label: "register.useCase", width: 6 },
  { key: "markets", label: "register.markets", help: "register.marketsHelp", width: 4, testId: "field-markets" },
  { key: "brands", label: "register.brands", help: "register.brandsHelp", width: 4 },
  { key: "tags", label: "register.tags", help: "register.tagsHelp", width: 4 },
];

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
  // The name follows the title until the user types one.
  const [nameTouched, setNameTouched] = useState(false);
  const bind = (k: keyof CardFields, testId?: string) => ({
    field: k,
    errors,
    disabled: locked,
    value: card[k],
    onChange: (e: { target: { value: string } }) => {
      const value = e.target.value;
      if (k === "name") setNameTouched(true);
      onChange({ ...card, [k]: value, ...(k === "title" && !nameTouched ? { name: slugify(value) } : {}) });
    },
    slotProps: testId ? { htmlInput: { "data-testid": testId } } : undefined,
  });
  return (
    <Section title={t("register.card")}>
      <Grid container spacing={2}>
        <FormField cell={{ xs: 12, md: 6 }} required label={t("register.titleField")} {...bind("title", "field-title")} />
        <FormField cell={{ xs: 12, md: 6 }} required label={t("register.name")} help={t("register.nameHelp")} {...bind("name", "field-name")} />
        <FormField
          cell={{ xs: 12, md: 6 }}
          required
          label={t("register.department")}
          options={DEPARTMENTS}
          {...bind("department")}
          slotProps={{ select: { SelectDisplayProps: { "data-testid": "field-department" } as object } }}
        />
        {MORE_FIELDS.map(({ key, label, help, width, testId }) => (
          <FormField key={key} cell={{ xs: 12, md: width }} label={t(label)} help={help && t(help)} {...bind(key, testId)} />
        ))}
        <FormField cell={12} multiline minRows={6} label={t("register.description")} {...bind("description", "field-description")} />
      </Grid>
    </Section>
  );
}
