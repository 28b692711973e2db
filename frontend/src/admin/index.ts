export { AdminPage } from "./AdminPage";
export { MyTokensPage } from "./MyTokensPage";
