export { DeployPage } from "./DeployPage";
export { DeploymentPage } from "./DeploymentPage";
export { DeploymentsPage } from "./DeploymentsPage";
