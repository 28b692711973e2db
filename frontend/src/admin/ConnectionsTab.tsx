import { Alert } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { listConnections } from "../api/client";
import { QueryTable } from "../components/DataTable";
import { useT } from "../i18n";

/** The SQL connections the server is configured with, by name and kind (their URLs stay secret). */
export function ConnectionsTab() {
  const t = useT();
  const q = useQuery({ queryKey: ["connections"], queryFn: listConnections });
  return (
    <>
      <Alert severity="info" sx={{ mb: 2 }}>
        {t("admin.connectionsHelp")}
      </Alert>
      <QueryTable
        query={q}
        empty={t("admin.noConnections")}
        testId="connections-table"
        rows={(items) => items}
        rowKey={(c) => c.name}
        columns={[
          { label: t("common.name"), cell: (c) => c.name },
          { label: t("admin.connectionKind"), cell: (c) => c.kind },
        ]}
      />
    </>
  );
}
