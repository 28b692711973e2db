/**
 * Predictions as people read them: rounded for display (4 significant digits, whole numbers kept
 * whole), in the language's conventions. Downloads keep full precision: this is for the screen only.
 */

/** How many significant digits a prediction shows on screen. */
export const DISPLAY_DIGITS = 4;

/** `value` rounded to `digits` significant digits; numbers of more integer digits than that are rounded to a whole number. */
export function roundForDisplay(value: number, digits = DISPLAY_DIGITS): number {
  if (!Number.isFinite(value) || value === 0) return value;
  if (Math.abs(value) >= 10 ** digits) return Math.round(value);
  return Number(value.toPrecision(digits));
}

const cache = new Map<string, Intl.NumberFormat>();

function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let fmt = cache.get(key);
  if (!fmt) {
    fmt = new Intl.NumberFormat(locale, options);
    cache.set(key, fmt);
  }
  return fmt;
}

/** A number written for the screen: "0.1235", "1,235", "123,457" (French: "0,1235", "1 235"). */
export function formatNumber(value: number, locale: string, digits = DISPLAY_DIGITS): string {
  if (!Number.isFinite(value)) return String(value);
  const rounded = roundForDisplay(value, digits);
  const options: Intl.NumberFormatOptions =
    Math.abs(rounded) >= 10 ** digits ? { maximumFractionDigits: 0 } : { maximumSignificantDigits: digits };
  return numberFormat(locale, options).format(rounded);
}

/** A cell of a prediction: numbers rounded for display, other values (labels, booleans) as they are. */
export function formatPrediction(value: unknown, locale: string): string {
  if (typeof value === "number") return formatNumber(value, locale);
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** A probability (0..1) as a percentage rounded for display: "81.25 %", French "81,25 %". */
export function formatProbability(value: number, locale: string): string {
  return `${formatNumber(value * 100, locale)} %`;
}
