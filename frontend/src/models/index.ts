export { CatalogPage } from "./CatalogPage";
export { ModelPage } from "./ModelPage";
export { NewVersionPage, RegisterModelPage } from "./RegisterModelPage";
