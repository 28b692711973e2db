import { lazy, Suspense, type ComponentType, type LazyExoticComponent } from "react";
import { createBrowserRouter } from "react-router";
import { LoginPage } from "./auth/LoginPage";
import { Layout } from "./components/Layout";
import { NotFoundPage } from "./components/NotFoundPage";
import { Loading } from "./components/States";
import { HomePage } from "./home/HomePage";
import { CatalogPage } from "./models/CatalogPage";

// The heavier pages (forms, grids, charts, Markdown) load on first visit, so sign-in and the
// catalog stay quick.
const ModelPage = lazy(() => import("./models/ModelPage").then((m) => ({ default: m.ModelPage })));
const RegisterModelPage = lazy(() => import("./models/RegisterModelPage").then((m) => ({ default: m.RegisterModelPage })));
const NewVersionPage = lazy(() => import("./models/NewVersionPage").then((m) => ({ default: m.NewVersionPage })));
const DeployPage = lazy(() => import("./deployments").then((m) => ({ default: m.DeployPage })));
const DeploymentsPage = lazy(() => import("./deployments").then((m) => ({ default: m.DeploymentsPage })));
const DeploymentPage = lazy(() => import("./deployments").then((m) => ({ default: m.DeploymentPage })));
const NotificationsPage = lazy(() => import("./notifications").then((m) => ({ default: m.NotificationsPage })));
const RunPage = lazy(() => import("./runs").then((m) => ({ default: m.RunPage })));
const RunsPage = lazy(() => import("./runs").then((m) => ({ default: m.RunsPage })));
const RunDetailPage = lazy(() => import("./runs").then((m) => ({ default: m.RunDetailPage })));
const DatasetsPage = lazy(() => import("./datasets").then((m) => ({ default: m.DatasetsPage })));
const DatasetPage = lazy(() => import("./datasets").then((m) => ({ default: m.DatasetPage })));
const CleaningPage = lazy(() => import("./datasets").then((m) => ({ default: m.CleaningPage })));
const TrainingsPage = lazy(() => import("./trainings").then((m) => ({ default: m.TrainingsPage })));
const TrainWizardPage = lazy(() => import("./trainings").then((m) => ({ default: m.TrainWizardPage })));
const TrainingPage = lazy(() => import("./trainings").then((m) => ({ default: m.TrainingPage })));
const CompareTrainingsPage = lazy(() => import("./trainings").then((m) => ({ default: m.CompareTrainingsPage })));
const AdminPage = lazy(() => import("./admin").then((m) => ({ default: m.AdminPage })));
const MyTokensPage = lazy(() => import("./admin").then((m) => ({ default: m.MyTokensPage })));

function page(Component: LazyExoticComponent<ComponentType>) {
  return (
    <Suspense fallback={<Loading />}>
      <Component />
    </Suspense>
  );
}

export const routes = [
  { path: "/login", element: <LoginPage /> },
  {
    path: "/",
    element: <Layout />,
    children: [
      { index: true, element: <HomePage /> },
      { path: "models", element: <CatalogPage /> },
      { path: "models/:name", element: page(ModelPage) },
      { path: "models/:name/versions/new", element: page(NewVersionPage) },
      { path: "models/:name/deploy", element: page(DeployPage) },
      { path: "models/:name/run", element: page(RunPage) },
      { path: "register", element: page(RegisterModelPage) },
      { path: "deployments", element: page(DeploymentsPage) },
      { path: "deployments/:name", element: page(DeploymentPage) },
      { path: "notifications", element: page(NotificationsPage) },
      { path: "runs", element: page(RunsPage) },
      { path: "runs/:id", element: page(RunDetailPage) },
      { path: "datasets", element: page(DatasetsPage) },
      { path: "datasets/:name", element: page(DatasetPage) },
      { path: "datasets/:name/clean", element: page(CleaningPage) },
      { path: "trainings", element: page(TrainingsPage) },
      { path: "trainings/new", element: page(TrainWizardPage) },
      { path: "trainings/compare", element: page(CompareTrainingsPage) },
      { path: "trainings/:id", element: page(TrainingPage) },
      { path: "admin", element: page(AdminPage) },
      { path: "me/tokens", element: page(MyTokensPage) },
      { path: "*", element: <NotFoundPage /> },
    ],
  },
];

export const router = createBrowserRouter(routes);
