/** The signed-in user in the top bar: a menu of what is theirs (their API tokens). */
import KeyIcon from "@mui/icons-material/Key";
import { Chip, ListItemIcon, ListItemText, Menu, MenuItem } from "@mui/material";
import { useId, useState } from "react";
import { Link as RouterLink } from "react-router";
import { useT } from "../i18n";

export function UserMenu({ label }: { label: string }) {
  const t = useT();
  const menuId = useId();
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  return (
    <>
      <Chip
        label={label}
        onClick={(e) => setAnchor(e.currentTarget)}
        aria-haspopup="menu"
        aria-controls={anchor ? menuId : undefined}
        aria-expanded={anchor ? "true" : undefined}
        sx={{ color: "common.white", borderColor: "rgba(255,255,255,0.6)" }}
        variant="outlined"
        data-testid="current-user"
      />
      <Menu id={menuId} anchorEl={anchor} open={!!anchor} onClose={() => setAnchor(null)}>
        <MenuItem component={RouterLink} to="/me/tokens" onClick={() => setAnchor(null)}>
          <ListItemIcon>
            <KeyIcon fontSize="small" />
          </ListItemIcon>
          <ListItemText>{t("nav.myTokens")}</ListItemText>
        </MenuItem>
      </Menu>
    </>
  );
}
