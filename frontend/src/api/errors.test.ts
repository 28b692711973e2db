import { describe, expect, it } from "vitest";
import { translator } from "../i18n";
import { ApiError, toApiError } from "./client";
import { describeError, errorField, fieldErrors, fieldLabel } from "./errors";

const en = translator("en");
const fr = translator("fr");

describe("describeError", () => {
  it("names the field and says what is wrong with it in plain words", () => {
    const err = toApiError(422, {
      error: { code: "invalid_argument", message: "name: String should match pattern '^[a-z0-9]$'", field: "name" },
    });
    expect(describeError(err, en)).toBe("Name: the format is not accepted.");
    expect(describeError(err, fr)).toBe("Nom : le format n'est pas accepté.");
  });

  it("uses labels for nested fields of a version upload", () => {
    const err = new ApiError(422, "invalid_argument", "meta.metrics.auc: Input should be a valid number", "meta.metrics.auc");
    expect(describeError(err, en)).toBe("Metrics: a number is expected.");
  });

  it("keeps the server's reason when it has no plainer wording", () => {
    const err = new ApiError(422, "unsupported_model", "the file is not a scikit-learn, XGBoost or ONNX model");
    expect(describeError(err, en)).toBe(
      "This file is not a model modelport can load: the file is not a scikit-learn, XGBoost or ONNX model.",
    );
  });

  it("tells a user without the role to ask an administrator", () => {
    expect(describeError(new ApiError(403, "forbidden", "needs data_scientist"), en)).toMatch(/Ask an administrator/);
  });

  it("tells a stale session from a missing role", () => {
    const err = new ApiError(403, "forbidden", "missing or wrong X-CSRF-Token header");
    expect(describeError(err, en)).toBe("Your session is out of date. Reload the page and try again.");
  });

  it("covers duplicates, network failures, server errors and unknown throwables", () => {
    expect(describeError(new ApiError(409, "already_exists", "model 'x' exists", "name"), en)).toBe(
      "Name: this value is already taken. Choose another one.",
    );
    expect(describeError(new ApiError(0, "network", "network error"), en)).toMatch(/could not be reached/);
    expect(describeError(new ApiError(500, "internal_error", "boom"), en)).toMatch(/went wrong on the server/);
    expect(describeError(new TypeError("x"), en)).toBe("Something unexpected went wrong. Try again.");
    expect(describeError(new ApiError(413, "payload_too_large", "too big"), en)).toBe("The file is too large to upload.");
  });
});

describe("toApiError", () => {
  it("reads the one error body shape", () => {
    const err = toApiError(404, { error: { code: "not_found", message: "no model 'x'" } });
    expect(err).toMatchObject({ status: 404, code: "not_found", message: "no model 'x'", field: null });
  });

  it("copes with bodies that are not the error shape", () => {
    expect(toApiError(502, "Bad gateway")).toMatchObject({ code: "internal_error", message: "Bad gateway" });
    expect(toApiError(401, null).code).toBe("unauthenticated");
  });
});

describe("errorField and fieldLabel", () => {
  it("matches a field or one of its children", () => {
    const err = new ApiError(422, "invalid_argument", "x", "markets.0");
    expect(errorField(err, ["name", "markets"])).toBe("markets");
    expect(errorField(err, ["name"])).toBeNull();
    expect(errorField(new Error("x"), ["name"])).toBeNull();
  });

  it("falls back to the field's own name", () => {
    expect(fieldLabel("page_size", en)).toBe("page size");
    expect(fieldLabel("use_case", fr)).toBe("Cas d'usage");
  });
});

describe("fieldErrors", () => {
  it("puts an error under the field it names, and nowhere else", () => {
    const err = new ApiError(422, "invalid_argument", "name: String should match pattern", "name");
    const placed = fieldErrors(err, ["name", "title"], en);
    expect(placed.of("name")).toBe("Name: the format is not accepted.");
    expect(placed.of("title")).toBeUndefined();
    expect(placed.unplaced).toBeNull();
  });

  it("leaves an error about no field of the form for above it", () => {
    const err = new ApiError(409, "conflict", "the model changed meanwhile");
    const placed = fieldErrors(err, ["name"], en);
    expect(placed.of("name")).toBeUndefined();
    expect(placed.unplaced).toBe(err);
    expect(fieldErrors(null, ["name"], en).unplaced).toBeNull();
  });
});
