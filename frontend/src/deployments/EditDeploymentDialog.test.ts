import { describe, expect, it } from "vitest";
import type { Deployment } from "../api/types";
import { deploymentChanges } from "./EditDeploymentDialog";

const d = {
  id: 3,
  name: "churn-fr",
  model: "churn",
  model_title: "Churn",
  version: null,
  alias: "champion",
  resolved_version: 2,
  market: "FR",
  description: "weekly",
  owner: "ds",
  params: {},
  schedule: { cron: "0 6 * * 1", timezone: "Europe/Paris" },
  input: { kind: "dataset", dataset: "a".repeat(64), filename: "c.csv" },
  output: { format: "parquet" },
  engine: "local",
  on_bad_rows: "reject",
  state: "active",
  next_run_at: null,
  created_at: "2026-11-01T10:00:00Z",
  updated_at: "2026-11-01T10:00:00Z",
} as Deployment;

const unchanged = {
  mode: "alias" as const,
  alias: "champion",
  version: 2,
  scheduled: true,
  cron: "0 6 * * 1",
  timezone: "Europe/Paris",
  onBadRows: "reject" as const,
  description: "weekly",
};

describe("deploymentChanges", () => {
  it("sends nothing when nothing changed", () => {
    expect(deploymentChanges(d, unchanged)).toEqual({});
  });

  it("sends only what changed: a pinned version, the schedule's zone, the bad-row policy", () => {
    expect(deploymentChanges(d, { ...unchanged, mode: "version", version: 2, timezone: "Europe/Berlin", onBadRows: "skip" })).toEqual({
      version: 2,
      schedule: { cron: "0 6 * * 1", timezone: "Europe/Berlin" },
      on_bad_rows: "skip",
    });
  });

  it("removes the schedule with null", () => {
    expect(deploymentChanges(d, { ...unchanged, scheduled: false })).toEqual({ schedule: null });
  });

  it("follows another alias", () => {
    expect(deploymentChanges(d, { ...unchanged, alias: "challenger", description: " weekly " })).toEqual({ alias: "challenger" });
  });
});
