/**
 * Who may change a model, as the API decides it (services/catalog.py), so that the page offers only
 * what will be accepted: its owner, its department's data scientists and admins change it; its owner
 * and admins delete it.
 */
import { roleAllows, type Model, type User } from "../api/types";

export function mayChangeModel(user: User | undefined, model: Model): boolean {
  if (!user || !roleAllows(user.role, "data_scientist")) return false;
  if (user.role === "admin" || model.owner === user.username) return true;
  return !!user.department && user.department === model.department;
}

export function mayDeleteModel(user: User | undefined, model: Model): boolean {
  if (!user || !roleAllows(user.role, "data_scientist")) return false;
  return user.role === "admin" || model.owner === user.username;
}
