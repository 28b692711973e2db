/** A model card in Markdown, rendered safely: raw HTML is dropped, links are checked by react-markdown. */
import { Box, Link, Table, TableBody, TableCell, TableHead, TableRow, Typography } from "@mui/material";
import ReactMarkdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";

const components: Components = {
  h1: ({ children }) => <Typography variant="h2" component="h2" sx={{ mt: 1, mb: 1.5 }}>{children}</Typography>,
  h2: ({ children }) => <Typography variant="h3" component="h3" sx={{ mt: 2.5, mb: 1 }}>{children}</Typography>,
  h3: ({ children }) => <Typography variant="h4" component="h4" sx={{ mt: 2, mb: 1 }}>{children}</Typography>,
  h4: ({ children }) => <Typography variant="h4" component="h5" sx={{ mt: 2, mb: 1 }}>{children}</Typography>,
  p: ({ children }) => <Typography sx={{ mb: 1.5 }}>{children}</Typography>,
  a: ({ href, children }) => (
    <Link href={href} target="_blank" rel="noopener noreferrer">
      {children}
    </Link>
  ),
  table: ({ children }) => (
    <Box sx={{ overflowX: "auto", mb: 2 }} tabIndex={0}>
      <Table size="small">{children}</Table>
    </Box>
  ),
  thead: ({ children }) => <TableHead>{children}</TableHead>,
  tbody: ({ children }) => <TableBody>{children}</TableBody>,
  tr: ({ children }) => <TableRow>{children}</TableRow>,
  th: ({ children }) => <TableCell sx={{ fontWeight: 600 }}>{children}</TableCell>,
  td: ({ children }) => <TableCell>{children}</TableCell>,
  blockquote: ({ children }) => (
    <Box component="blockquote" sx={{ borderLeft: 4, borderColor: "divider", pl: 2, ml: 0, color: "text.secondary" }}>
      {children}
    </Box>
  ),
  code: ({ children }) => (
    <Box component="code" sx={{ bgcolor: "grey.100", px: 0.5, borderRadius: 0.5, fontSize: "0.9em" }}>
      {children}
    </Box>
  ),
};

export function Markdown({ children }: { children: string }) {
  return (
    <Box className="markdown" sx={{ "& ul, & ol": { pl: 3, mb: 1.5 } }}>
      <ReactMarkdown skipHtml remarkPlugins={[remarkGfm]} components={components}>
        {children}
      </ReactMarkdown>
    </Box>
  );
}
