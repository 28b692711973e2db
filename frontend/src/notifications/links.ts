/** Where a notification leads in the web app: its own link, else the page of what it is about. */
import type { Notification } from "../api/types";

export function notificationTarget(n: Pick<Notification, "link" | "subject">): string | null {
  if (n.link && n.link.startsWith("/")) return n.link;
  if (n.subject?.type === "deployment") return `/deployments/${encodeURIComponent(n.subject.name)}`;
  if (n.subject?.type === "model") return `/models/${encodeURIComponent(n.subject.name)}`;
  return null;
}

/** The badge's text: the count, "99+" beyond. */
export function badgeText(unread: number): string {
  return unread > 99 ? "99+" : String(unread);
}
