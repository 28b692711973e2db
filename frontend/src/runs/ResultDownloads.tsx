/** A run's results to download: CSV, CSV for Excel (accents intact), Excel, Parquet, in full precision. */
import DownloadIcon from "@mui/icons-material/Download";
import { Button, ButtonGroup } from "@mui/material";
import { resultsDownloadUrl } from "../api/client";
import { useT, type MessageKey } from "../i18n";

/** The formats offered, in the order shown, with their labels and what they are for. */
export const DOWNLOADS = [
  { format: "csv", label: "runs.downloadCsv", help: "runs.downloadCsvHelp" },
  { format: "csv-excel", label: "runs.downloadCsvExcel", help: "runs.downloadCsvExcelHelp" },
  { format: "xlsx", label: "runs.downloadXlsx", help: "runs.downloadXlsxHelp" },
  { format: "parquet", label: "runs.downloadParquet", help: "runs.downloadParquetHelp" },
] as const satisfies readonly { format: NonNullable<Parameters<typeof resultsDownloadUrl>[1]>; label: MessageKey; help: MessageKey }[];

export function ResultDownloads({ id }: { id: number }) {
  const t = useT();
  return (
    <ButtonGroup size="small" aria-label={t("runs.download")} data-testid="result-downloads">
      {DOWNLOADS.map((d) => (
        <Button key={d.format} href={resultsDownloadUrl(id, d.format)} startIcon={<DownloadIcon />} title={t(d.help)}>
          {t(d.label)}
        </Button>
      ))}
    </ButtonGroup>
  );
}
