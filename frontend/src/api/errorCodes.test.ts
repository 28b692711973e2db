import { describe, expect, it } from "vitest";
import { translator } from "../i18n";
import { ApiError, toApiError } from "./client";
import { blockingDeployments, describeError } from "./errors";

const en = translator("en");
const fr = translator("fr");

describe("server error codes in the user's language", () => {
  it("names the deployments that keep a model from being archived or deleted", () => {
    const err = toApiError(409, {
      error: {
        code: "conflict",
        message: "'churn' cannot be deleted: deployments use it ('churn-fr', 'churn-de'); delete them first",
        field: "name",
        details: { deployments: ["churn-fr", "churn-de"] },
      },
    });
    expect(blockingDeployments(err)).toEqual(["churn-fr", "churn-de"]);
    expect(describeError(err, en)).toBe("Deployments use this model: churn-fr, churn-de. Delete them first.");
    expect(describeError(err, fr)).toBe("Des déploiements utilisent ce modèle : churn-fr, churn-de. Supprimez-les d'abord.");
  });

  it("keeps other details as they came (a 422's list)", () => {
    const err = toApiError(422, { error: { code: "invalid_argument", message: "x", field: "x", details: [{ field: "x", message: "m" }] } });
    expect(err.details).toEqual([{ field: "x", message: "m" }]);
    expect(blockingDeployments(err)).toEqual([]);
    expect(blockingDeployments(new Error("x"))).toEqual([]);
  });

  it("translates the codes the server sends", () => {
    expect(describeError(new ApiError(409, "conflict", "model 'x' is archived: restore it to deploy it", "model"), fr)).toBe(
      "Ce modèle est archivé : restaurez-le d'abord.",
    );
    expect(describeError(toApiError(415, null), en)).toBe("This kind of content is not accepted here.");
    expect(describeError(new ApiError(500, "corrupt_artifact", "sha mismatch"), fr)).toMatch(/^Le fichier du modèle stocké/);
  });

  it("names the role a refusal asks for, translated", () => {
    const err = new ApiError(403, "forbidden", "this needs the data_scientist role; you are viewer");
    expect(describeError(err, en)).toBe("Your role does not allow this: it takes the Data scientist role. Ask an administrator if you need it.");
    expect(describeError(err, fr)).toMatch(/elle demande le rôle Data scientist/);
  });
});
