import { describe, expect, it } from "vitest";
import { mapFromCells } from "./stats";

describe("the market x department map", () => {
  it("lays the API's cells on a grid, most used markets first", () => {
    const map = mapFromCells([
      { market: "DE", department: "sales", models: 1 },
      { market: "FR", department: "sales", models: 2 },
      { market: "FR", department: "hr", models: 1 },
    ]);
    expect(map.markets).toEqual(["FR", "DE"]);
    expect(map.departments).toEqual(["hr", "sales"]);
    expect(map.cells).toEqual([
      [1, 0],
      [2, 1],
    ]);
  });
});
