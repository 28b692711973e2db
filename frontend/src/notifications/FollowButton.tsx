/** Follow or stop following a deployment: its failed runs and skipped schedules then reach you too. */
import NotificationsActiveIcon from "@mui/icons-material/NotificationsActive";
import NotificationsNoneIcon from "@mui/icons-material/NotificationsNone";
import { Button, Tooltip } from "@mui/material";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { listSubscriptions, subscribe, unsubscribe } from "../api/client";
import { InlineError } from "../components/States";
import { useT } from "../i18n";

export function FollowButton({ deployment, owner }: { deployment: string; owner: boolean }) {
  const t = useT();
  const client = useQueryClient();
  const key = ["subscriptions", { deployment }];
  const following = useQuery({ queryKey: key, queryFn: () => listSubscriptions({ deployment }) });
  const current = following.data?.find((s) => s.subject.type === "deployment" && s.subject.name === deployment);
  const toggle = useMutation({
    mutationFn: async () => {
      if (current) await unsubscribe(current.id);
      else await subscribe({ deployment });
    },
    onSuccess: () => void client.invalidateQueries({ queryKey: ["subscriptions"] }),
  });
  const button = (
    <Button
      variant="outlined"
      startIcon={current ? <NotificationsActiveIcon /> : <NotificationsNoneIcon />}
      onClick={() => toggle.mutate()}
      disabled={following.isPending || toggle.isPending}
      aria-pressed={!!current}
      data-testid="follow"
    >
      {current ? t("notifications.unfollow") : t("notifications.follow")}
    </Button>
  );
  return (
    <>
      {owner ? (
        <Tooltip title={t("notifications.ownerHears")}>
          <span>{button}</span>
        </Tooltip>
      ) : (
        button
      )}
      <InlineError error={toggle.error} />
    </>
  );
}
