export { CatalogPage } from "./CatalogPage";
export { ModelPage } from "./ModelPage";
export { NewVersionPage } from "./NewVersionPage";
export { RegisterModelPage } from "./RegisterModelPage";
