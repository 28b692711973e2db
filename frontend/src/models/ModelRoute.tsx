/** The pages about one model (`/models/:name/...`) load it the same way: by the name in the route. */
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useParams } from "react-router";
import { getModel } from "../api/client";
import type { Model, Role } from "../api/types";
import { RequireRole } from "../components/Forbidden";
import { QueryState } from "../components/States";

/** The route's model, from the API (shared in the cache with every page about it). */
export function useRouteModel() {
  const { name = "" } = useParams();
  return useQuery({ queryKey: ["model", name], queryFn: () => getModel(name) });
}

function LoadedModel({ children }: { children: (model: Model) => ReactNode }) {
  return <QueryState query={useRouteModel()}>{children}</QueryState>;
}

/** A page about the route's model for `role` and above: `children` gets the model once loaded. */
export function ModelRoute({ role, children }: { role: Role; children: (model: Model) => ReactNode }) {
  return (
    <RequireRole role={role}>
      <LoadedModel>{children}</LoadedModel>
    </RequireRole>
  );
}
