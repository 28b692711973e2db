export { RunDetailPage } from "./RunDetailPage";
export { RunPage } from "./RunPage";
export { RunsPage } from "./RunsPage";
