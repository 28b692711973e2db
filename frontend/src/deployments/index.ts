export { DeployPage } from "./DeployPage";
export { DeploymentsPage } from "./DeploymentsPage";
