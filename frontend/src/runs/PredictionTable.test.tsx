import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { PredictResponse } from "../api/types";
import { renderWithProviders } from "../test/render";
import { PredictionTable } from "./PredictionTable";

const answer: PredictResponse = {
  predictions: [0.123456789, 1234.56789],
  probabilities: [{ "0": 0.876543, "1": 0.123457 }, { "0": 0.5, "1": 0.5 }],
  version: 2,
  deployment: "churn-fr",
  request_id: "r1",
  warnings: [{ row: 1, column: "channel", value: "fax", reason: "not one of the 2 known values ('shop', 'web')" }],
};
const rows = [
  { channel: "web", tenure: 3 },
  { channel: "fax", tenure: 4 },
];

describe("PredictionTable", () => {
  it("rounds predictions and probabilities for display", () => {
    renderWithProviders(<PredictionTable rows={rows} answer={answer} />);
    const table = screen.getByTestId("predictions");
    expect(table).toHaveTextContent("0.1235");
    expect(table).toHaveTextContent("1,235");
    expect(table).toHaveTextContent("87.65 %");
    expect(table).not.toHaveTextContent("0.123456789");
  });

  it("shows the values flagged in the answer, row by row, in the user's language", () => {
    renderWithProviders(<PredictionTable rows={rows} answer={answer} />, { lang: "fr" });
    const warnings = screen.getByTestId("prediction-warnings");
    expect(warnings).toHaveTextContent("1 valeur ne fait pas partie des valeurs permises de sa colonne");
    expect(warnings).toHaveTextContent("Ligne 2, channel : « fax »");
    expect(screen.getByTitle("Pas une des valeurs permises de la colonne")).toHaveTextContent("fax");
    expect(screen.getByTestId("predictions")).toHaveTextContent("0,1235");
  });

  it("shows no warning when there is none", () => {
    renderWithProviders(<PredictionTable rows={rows} answer={{ ...answer, warnings: [] }} />);
    expect(screen.queryByTestId("prediction-warnings")).not.toBeInTheDocument();
  });
});
