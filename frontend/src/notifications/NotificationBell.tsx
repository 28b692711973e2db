/** The bell of the top bar: the unread count (refreshed every 30 s and on focus), a link to the list. */
import NotificationsIcon from "@mui/icons-material/Notifications";
import { Badge, IconButton, Tooltip } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { Link as RouterLink } from "react-router";
import { unreadNotifications } from "../api/client";
import { useT } from "../i18n";
import { badgeText } from "./links";

export const UNREAD_KEY = ["notifications", "unread"] as const;

export function NotificationBell() {
  const t = useT();
  const unread = useQuery({ queryKey: UNREAD_KEY, queryFn: unreadNotifications, refetchInterval: 30_000, retry: false });
  const n = unread.data ?? 0;
  // The visible count is part of the accessible name ("99+" included).
  const label = n ? t("notifications.bellUnread", { n: badgeText(n) }) : t("notifications.title");
  return (
    <Tooltip title={label}>
      <IconButton component={RouterLink} to="/notifications" color="inherit" aria-label={label} data-testid="notification-bell">
        <Badge badgeContent={n ? badgeText(n) : undefined} color="error" invisible={n === 0} data-testid="notification-count">
          <NotificationsIcon />
        </Badge>
      </IconButton>
    </Tooltip>
  );
}
