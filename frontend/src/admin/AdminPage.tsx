/** Administration (admins): users and roles, API tokens, connections, audit log. */
import { Box, Tab, Tabs, Typography } from "@mui/material";
import { useSearchParams } from "react-router";
import { RequireRole } from "../components/Forbidden";
import { useT } from "../i18n";
import { AuditTab } from "./AuditTab";
import { ConnectionsTab } from "./ConnectionsTab";
import { TokensTab } from "./TokensTab";
import { UsersTab } from "./UsersTab";

const TABS = ["users", "tokens", "audit", "connections"] as const;
type TabName = (typeof TABS)[number];

export function AdminPage() {
  const t = useT();
  const [params, setParams] = useSearchParams();
  const tab: TabName = (TABS as readonly string[]).includes(params.get("tab") ?? "") ? (params.get("tab") as TabName) : "users";
  const labels: Record<TabName, string> = {
    users: t("admin.users"),
    tokens: t("admin.tokens"),
    audit: t("admin.audit"),
    connections: t("admin.connections"),
  };
  return (
    <RequireRole role="admin">
      <Typography variant="h1" sx={{ mb: 2 }}>
        {t("admin.title")}
      </Typography>
      <Tabs value={tab} onChange={(_e, v: TabName) => setParams({ tab: v }, { replace: true })} sx={{ mb: 2, borderBottom: 1, borderColor: "divider" }}>
        {TABS.map((name) => (
          <Tab key={name} value={name} label={labels[name]} id={`admin-tab-${name}`} aria-controls={`admin-panel-${name}`} />
        ))}
      </Tabs>
      <Box role="tabpanel" id={`admin-panel-${tab}`} aria-labelledby={`admin-tab-${tab}`}>
        {tab === "users" && <UsersTab />}
        {tab === "tokens" && <TokensTab />}
        {tab === "audit" && <AuditTab />}
        {tab === "connections" && <ConnectionsTab />}
      </Box>
    </RequireRole>
  );
}
