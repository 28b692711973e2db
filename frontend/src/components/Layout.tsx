/** The signed-in frame: a top bar with the sections a role may use, the language and the user. */
import { AppBar, Box, Button, Container, Link, Toolbar, Typography } from "@mui/material";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { NavLink, Outlet, useLocation, useNavigate } from "react-router";
import { logout } from "../api/client";
import { roleAllows, type Role } from "../api/types";
import { useMe } from "../auth/session";
import { useT, type MessageKey } from "../i18n";
import { NotificationBell } from "../notifications/NotificationBell";
import { LanguageSwitch } from "./LanguageSwitch";
import { UserMenu } from "./UserMenu";
import { ErrorState, Loading } from "./States";

const SECTIONS: { to: string; label: MessageKey; role: Role; end?: boolean }[] = [
  { to: "/", label: "nav.home", role: "viewer", end: true },
  { to: "/models", label: "nav.catalog", role: "viewer" },
  { to: "/deployments", label: "nav.deployments", role: "viewer" },
  { to: "/runs", label: "nav.runs", role: "viewer" },
  { to: "/datasets", label: "nav.datasets", role: "viewer" },
  { to: "/trainings", label: "nav.trainings", role: "viewer" },
  { to: "/register", label: "nav.register", role: "data_scientist" },
  { to: "/admin", label: "nav.admin", role: "admin" },
];

export function Layout() {
  const t = useT();
  const me = useMe();
  const navigate = useNavigate();
  const location = useLocation();
  const client = useQueryClient();
  const signOut = useMutation({
    mutationFn: logout,
    onSettled: () => {
      client.clear();
      void navigate("/login");
    },
  });
  if (me.isPending) return <Loading />;
  if (me.isError || !me.data) {
    return (
      <Container sx={{ py: 4 }}>
        <ErrorState error={me.error} onRetry={() => void me.refetch()} />
      </Container>
    );
  }
  const user = me.data;
  return (
    <Box sx={{ minHeight: "100vh", bgcolor: "background.default" }}>
      <Link
        href="#main"
        sx={{
          position: "absolute",
          left: -9999,
          "&:focus": { left: 8, top: 8, zIndex: 2000, bgcolor: "background.paper", p: 1 },
        }}
      >
        {t("app.skip")}
      </Link>
      <AppBar position="sticky" elevation={0} color="primary">
        {/* Wraps onto a second row on narrow screens (or with every section shown to an admin), so
            nothing spills out of the bar onto the light page. */}
        <Toolbar sx={{ gap: 1, flexWrap: "wrap", py: 1 }}>
          <Typography
            variant="h6"
            component={NavLink}
            to="/"
            sx={{ color: "inherit", textDecoration: "none", fontWeight: 700, mr: 2, letterSpacing: 0.3 }}
          >
            {t("app.name")}
          </Typography>
          <Box component="nav" aria-label={t("nav.menu")} sx={{ display: "flex", flexWrap: "wrap", gap: 0.5, flexGrow: 1 }}>
            {SECTIONS.filter((s) => roleAllows(user.role, s.role)).map((s) => (
              <Button
                key={s.to}
                component={NavLink}
                to={s.to}
                end={s.end}
                color="inherit"
                sx={{
                  whiteSpace: "nowrap",
                  opacity: 0.9,
                  "&.active": { opacity: 1, bgcolor: "rgba(255,255,255,0.16)", fontWeight: 600 },
                }}
              >
                {t(s.label)}
              </Button>
            ))}
          </Box>
          <NotificationBell />
          <LanguageSwitch dark />
          <UserMenu label={`${user.display_name || user.username} · ${t(`role.${user.role}` as MessageKey)}`} />
          <Button color="inherit" sx={{ whiteSpace: "nowrap" }} onClick={() => signOut.mutate()} disabled={signOut.isPending}>
            {t("nav.signOut")}
          </Button>
        </Toolbar>
      </AppBar>
      <Container component="main" id="main" maxWidth="xl" sx={{ py: 3 }} key={location.pathname.split("/")[1]}>
        <Outlet />
      </Container>
    </Box>
  );
}
