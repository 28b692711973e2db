import type { MarketCell } from "../api/types";

export interface MarketMap {
  markets: string[];
  departments: string[];
  /** cells[department][market] = number of models. */
  cells: number[][];
}

/** The market x department grid from the API's cells (GET /stats): markets by use, departments sorted. */
export function mapFromCells(cells: MarketCell[]): MarketMap {
  const byMarket = new Map<string, number>();
  for (const c of cells) byMarket.set(c.market, (byMarket.get(c.market) ?? 0) + c.models);
  const markets = [...byMarket.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k]) => k);
  const departments = [...new Set(cells.map((c) => c.department))].sort();
  const grid = departments.map((d) =>
    markets.map((m) => cells.find((c) => c.department === d && c.market === m)?.models ?? 0),
  );
  return { markets, departments, cells: grid };
}
