/** What is known of this version: what is new, where its data and code come from, metrics, aliases. */
import { Grid } from "@mui/material";
import { FormField, type FieldError } from "../../components/FormField";
import { Section } from "../../components/Section";
import { useT, type MessageKey } from "../../i18n";
import type { VersionUpload } from "./useVersionUpload";
import type { VersionFields } from "./versionMeta";

/** Each field: where it is kept, the API's name of it, its label and help, its width on a wide screen. */
const FIELDS: { key: keyof VersionFields; field: string; label: MessageKey; help?: MessageKey; half?: boolean }[] = [
  { key: "description", field: "meta.description", label: "register.versionDescription" },
  { key: "trainingData", field: "meta.training_data", label: "register.trainingData" },
  { key: "sourceVersion", field: "meta.source_version", label: "register.sourceVersion" },
  { key: "metrics", field: "meta.metrics", label: "register.metrics", help: "register.metricsHelp", half: true },
  { key: "aliases", field: "meta.aliases", label: "register.aliases", help: "register.aliasesHelp", half: true },
];

export function VersionStep({ upload, errors }: { upload: VersionUpload; errors: FieldError }) {
  const t = useT();
  const { fields, setFields } = upload;
  return (
    <Section title={t("register.versionCard")}>
      <Grid container spacing={2}>
        {FIELDS.map(({ key, field, label, help, half }) => (
          <FormField
            key={key}
            cell={half ? { xs: 12, md: 6 } : 12}
            label={t(label)}
            help={help && t(help)}
            field={field}
            errors={errors}
            value={fields[key]}
            onChange={(e) => setFields({ ...fields, [key]: e.target.value })}
            slotProps={key === "metrics" ? { htmlInput: { spellCheck: false } } : undefined}
          />
        ))}
      </Grid>
    </Section>
  );
}
