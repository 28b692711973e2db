/** A deployment's name as a link to its page (/deployments/:name), wherever a deployment is named. */
import { Link } from "@mui/material";
import { Link as RouterLink } from "react-router";

export function deploymentPath(name: string): string {
  return `/deployments/${encodeURIComponent(name)}`;
}

export function DeploymentLink({ name }: { name: string }) {
  return (
    <Link component={RouterLink} to={deploymentPath(name)}>
      {name}
    </Link>
  );
}
