/** A deployment's logged online predictions, newest first, a page at a time (GET /deployments/{ref}/predictions). */
import { Box, Typography } from "@mui/material";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { listPredictions } from "../api/client";
import { QueryTable } from "../components/DataTable";
import { Pager } from "../components/Pager";
import { useI18n } from "../i18n";
import { firstValues, rowSummary } from "./predictionHistory";

const PAGE_SIZE = 10;

export function PredictionHistory({ deployment }: { deployment: string }) {
  const { t, tn, when } = useI18n();
  const [page, setPage] = useState(1);
  const q = useQuery({
    queryKey: ["deployments", deployment, "predictions", page],
    queryFn: () => listPredictions(deployment, { page, page_size: PAGE_SIZE }),
    placeholderData: keepPreviousData,
  });
  return (
    <Box sx={{ overflowX: "auto" }} tabIndex={0}>
      <QueryTable
        query={q}
        empty={t("deployment.noPredictions")}
        testId="prediction-history"
        rows={(data) => data.items}
        rowKey={(p) => p.id}
        footer={(data) => (
          <>
            <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
              {tn("deployment.predictionsLogged", data.total)}
            </Typography>
            <Pager total={data.total} pageSize={PAGE_SIZE} page={page} onChange={setPage} />
          </>
        )}
        columns={[
          { label: t("deployment.at"), cell: (p) => when(p.at), sx: { whiteSpace: "nowrap" } },
          { label: t("common.version"), cell: (p) => `v${p.version}` },
          { label: t("deployment.rowCount"), align: "right", cell: (p) => p.inputs.length },
          { label: t("run.predictions"), sx: { fontWeight: 700 }, cell: (p) => firstValues(p.outputs) },
          {
            label: t("model.inputs"),
            cell: (p) => (
              <Box component="span" title={JSON.stringify(p.inputs[0] ?? {})} sx={{ fontSize: 13 }}>
                {rowSummary(p.inputs[0])}
              </Box>
            ),
          },
          { label: t("deployment.latency"), align: "right", cell: (p) => `${p.latency_ms.toFixed(1)} ms` },
          {
            label: t("deployment.requestId"),
            cell: (p) => (
              <Box component="code" sx={{ fontSize: 12 }}>
                {p.request_id}
              </Box>
            ),
          },
        ]}
      />
    </Box>
  );
}
