export { DatasetsPage } from "./DatasetsPage";
export { DatasetPage } from "./DatasetPage";
export { CleaningPage } from "./CleaningPage";
