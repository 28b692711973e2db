export { FollowButton } from "./FollowButton";
export { NotificationBell } from "./NotificationBell";
export { NotificationsPage } from "./NotificationsPage";
