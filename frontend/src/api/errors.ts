/**
 * The one function that turns an API error into a sentence a business user understands.
 * The server's message stays available (for the field hint and for support), but the sentence
 * leads with what happened and what to do, in the user's language.
 */
import { isKey, translator, type Translate } from "../i18n";
import { ApiError } from "./client";

/** A human label for an API field name ("meta.metrics" -> "Metrics"), else the name itself. */
export function fieldLabel(field: string, t: Translate): string {
  const parts = field.split(".");
  // "meta.metrics.auc" -> "meta.metrics" -> "meta": the most precise label known.
  for (let n = parts.length; n > 0; n--) {
    const key = `field.${parts.slice(0, n).join(".")}`;
    if (isKey(key)) return t(key);
  }
  const last = field.split(".").pop() ?? field;
  const lastKey = `field.${last}`;
  if (isKey(lastKey)) return t(lastKey);
  return last.replace(/_/g, " ");
}

/** Rephrase the common validation messages (pydantic's) in plain words; others pass through. */
export function plainReason(message: string, field: string | null, t: Translate): string {
  let m = message.trim();
  // "name: String should match pattern ..." -> drop the leading "field: " the server adds.
  if (field) {
    for (const prefix of [`${field}: `, `meta.${field}: `]) {
      if (m.startsWith(prefix)) m = m.slice(prefix.length);
    }
  }
  if (/^Field required/i.test(m)) return t("error.reason.required");
  if (/should match pattern/i.test(m)) return t("error.reason.pattern");
  if (/should have at least \d+ (character|item)/i.test(m)) return t("error.reason.tooShort");
  if (/should have at most \d+ (character|item)/i.test(m)) return t("error.reason.tooLong");
  if (/valid integer/i.test(m)) return t("error.reason.integer");
  if (/valid number/i.test(m)) return t("error.reason.number");
  return m.replace(/[.\s]+$/, "");
}

/** "this needs the data_scientist role": the sentence naming the role in the user's language, else null. */
function neededRole(message: string, t: Translate): string | null {
  const match = /needs the (\w+) role/.exec(message);
  const key = match ? `role.${match[1]}` : "";
  return isKey(key) ? t("error.forbiddenRole", { role: t(key) }) : null;
}

/** The deployments a 409 names when they stand in the way (archive or delete a model), else []. */
export function blockingDeployments(err: unknown): string[] {
  if (!(err instanceof ApiError) || err.code !== "conflict") return [];
  const details = err.details;
  if (!details || typeof details !== "object" || Array.isArray(details)) return [];
  const names = (details as { deployments?: unknown }).deployments;
  return Array.isArray(names) ? names.filter((n): n is string => typeof n === "string") : [];
}

/** The sentence to show for any error thrown by the data-access module (or anything else). */
export function describeError(err: unknown, t: Translate = translator("en")): string {
  if (!(err instanceof ApiError)) return t("error.unknown");
  const reason = plainReason(err.message, err.field, t);
  switch (err.code) {
    case "network":
      return t("error.network");
    case "unauthenticated":
      return t("error.unauthenticated");
    case "forbidden":
      if (/csrf/i.test(err.message)) return t("error.csrf");
      return neededRole(err.message, t) ?? t("error.forbidden");
    case "not_found":
      return t("error.not_found");
    case "already_exists":
      return err.field ? t("error.already_existsField", { field: fieldLabel(err.field, t) }) : t("error.already_exists");
    case "conflict": {
      const deployments = blockingDeployments(err);
      if (deployments.length) return t("error.usedByDeployments", { deployments: deployments.join(", ") });
      if (err.field === "model") return t("error.modelArchived");
      return t("error.conflict", { reason });
    }
    case "unsupported_media_type":
      return t("error.unsupported_media_type");
    case "corrupt_artifact":
      return t("error.corrupt_artifact");
    case "unsupported_model":
      return t("error.unsupported_model", { reason });
    case "invalid_argument":
      if (err.field) return t("error.invalidField", { field: fieldLabel(err.field, t), reason });
      return t("error.invalid", { reason });
    case "payload_too_large":
      return t("error.payload_too_large");
    case "too_many_requests":
      return t("error.too_many_requests");
    case "bad_request":
      return t("error.bad_request", { reason });
    default:
      if (err.status === 422) {
        return err.field ? t("error.invalidField", { field: fieldLabel(err.field, t), reason }) : t("error.invalid", { reason });
      }
      return t("error.server");
  }
}

/** The error's field if it is one of `fields` (or starts with one of them + "."), else null. */
export function errorField(err: unknown, fields: readonly string[]): string | null {
  if (!(err instanceof ApiError) || !err.field) return null;
  const f = err.field;
  return fields.find((name) => f === name || f.startsWith(`${name}.`) || f.startsWith(`${name}[`)) ?? null;
}

/**
 * Where a form's error goes: `of(field)` is its sentence under the field it names (one of `fields`),
 * `unplaced` is the error when it names none of them (shown above the form), else null.
 */
export function fieldErrors(
  err: unknown,
  fields: readonly string[],
  t: Translate,
): { of: (field: string) => string | undefined; unplaced: unknown } {
  const field = errorField(err, fields);
  return {
    of: (f) => (err && field === f ? describeError(err, t) : undefined),
    unplaced: field ? null : err,
  };
}
