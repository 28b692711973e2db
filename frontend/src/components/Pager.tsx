/** Page links under a list, shown only when there is more than one page. */
import { Pagination } from "@mui/material";

export function Pager({
  total,
  pageSize,
  page,
  onChange,
}: {
  total: number;
  pageSize: number;
  page: number;
  onChange: (page: number) => void;
}) {
  if (total <= pageSize) return null;
  return (
    <Pagination
      sx={{ mt: 2, display: "flex", justifyContent: "center" }}
      count={Math.ceil(total / pageSize)}
      page={page}
      onChange={(_e, p) => onChange(p)}
    />
  );
}
