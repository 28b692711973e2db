/** Markets as chips: picked among the model's markets, or typed (Enter or a comma adds one). */
import { Autocomplete, Chip, TextField } from "@mui/material";
import { useState } from "react";

export function MarketsField({
  label,
  value,
  onChange,
  options,
  help,
  error,
  testId,
}: {
  label: string;
  value: string[];
  onChange: (markets: string[]) => void;
  options: readonly string[];
  help?: string;
  error?: string;
  testId?: string;
}) {
  const [typed, setTyped] = useState("");
  const add = (list: string[]) => onChange(Array.from(new Set(list.map((m) => m.trim().toUpperCase()).filter(Boolean))));
  return (
    <Autocomplete
      multiple
      freeSolo
      autoHighlight
      options={options.filter((o) => !value.includes(o))}
      value={value}
      inputValue={typed}
      onInputChange={(_e, v) => {
        if (v.endsWith(",")) {
          add([...value, v.slice(0, -1)]);
          setTyped("");
        } else setTyped(v);
      }}
      onChange={(_e, v) => add(v)}
      onBlur={() => {
        if (typed.trim()) add([...value, typed]);
        setTyped("");
      }}
      renderValue={(selected, getItemProps) =>
        selected.map((m, index) => {
          const { key, ...props } = getItemProps({ index });
          return <Chip key={key} label={m} size="small" {...props} />;
        })
      }
      renderInput={(params) => (
        <TextField
          {...params}
          label={label}
          required
          error={!!error}
          helperText={error ?? help}
          slotProps={{ ...params.slotProps, htmlInput: { ...params.slotProps.htmlInput, "data-testid": testId } }}
        />
      )}
    />
  );
}
