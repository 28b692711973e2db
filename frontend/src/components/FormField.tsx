/**
 * The form layout every form shares: a text field (or a select) whose API error, once placed by
 * `fieldErrors`, shows under it in place of its help; optionally in a grid cell of the given size.
 */
import { Grid, MenuItem, TextField, type GridSize, type TextFieldProps } from "@mui/material";
import type { ReactNode } from "react";

/** The sentence for a field's error, or undefined when the error is not about that field. */
export type FieldError = (field: string) => string | undefined;

/** A choice of a select: a value shown as itself, or a value and its label. */
export type Option = string | { value: string | number; label: ReactNode };

export type FormFieldProps = Omit<TextFieldProps, "error" | "helperText"> & {
  /** The API's name of the field (`errors` is asked about it). */
  field?: string;
  errors?: FieldError;
  help?: ReactNode;
  /** Makes it a select of these choices. */
  options?: readonly Option[];
  /** A grid cell of this size around the field (inside a `<Grid container>`). */
  cell?: GridSize | Partial<Record<"xs" | "sm" | "md" | "lg" | "xl", GridSize>>;
};

export function FormField({ field, errors, help, options, cell, children, ...props }: FormFieldProps) {
  const error = field && errors ? errors(field) : undefined;
  const input = (
    <TextField fullWidth error={!!error} helperText={error ?? help} select={!!options} {...props}>
      {options
        ? options.map((o) => {
            const { value, label } = typeof o === "string" ? { value: o, label: o } : o;
            return (
              <MenuItem key={value} value={value}>
                {label}
              </MenuItem>
            );
          })
        : children}
    </TextField>
  );
  return cell === undefined ? input : <Grid size={cell}>{input}</Grid>;
}
