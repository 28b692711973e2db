import { Alert, Table, TableBody, TableCell, TableHead, TableRow } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { listConnections } from "../api/client";
import { QueryState } from "../components/States";
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
      <QueryState query={q} notAvailable isEmpty={(d) => d.length === 0} empty={t("admin.noConnections")}>
        {(items) => (
          <Table size="small" data-testid="connections-table">
            <TableHead>
              <TableRow>
                <TableCell>{t("common.name")}</TableCell>
                <TableCell>{t("admin.connectionKind")}</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {items.map((c) => (
                <TableRow key={c.name}>
                  <TableCell>{c.name}</TableCell>
                  <TableCell>{c.kind}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </QueryState>
    </>
  );
}
