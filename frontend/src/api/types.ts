/**
 * Short names for the API's types, all from the backend's OpenAPI schema (`npm run gen:api` regenerates
 * `schema.d.ts`; run it whenever the API changes: `npm run typecheck` then shows what the change breaks).
 * Nothing here describes an API object by hand.
 */
import type { components } from "./schema";

type S = components["schemas"];

export type Role = S["Role"];
export type User = S["User"];
export type UserCreate = S["UserCreate"];
export type UserUpdate = S["UserUpdate"];
export type UsersPage = S["Page_User_"];
export type LoginResponse = S["LoginResponse"];
export type AuthConfig = S["AuthConfig"];
export type ApiToken = S["ApiToken"];
export type ApiTokenCreate = S["ApiTokenCreate"];
export type ApiTokenCreated = S["ApiTokenCreated"];
export type AuditEvent = S["AuditEvent"];
export type AuditPage = S["Page_AuditEvent_"];

export type ColumnSpec = S["ColumnSpec"];
export type ModelSchema = S["ModelSchema"];
export type Model = S["Model"];
export type ModelCreate = S["ModelCreate"];
export type ModelUpdate = S["ModelUpdate"];
export type SchemaEdit = S["SchemaEdit"];
export type ColumnEdit = S["ColumnEdit"];
export type PredictionWarning = S["PredictionWarning"];
export type Visibility = Model["visibility"];
export type ModelVersion = S["ModelVersion"];
export type ModelSearch = S["ModelSearch"];
export type FacetCount = S["FacetCount"];

export type Stats = S["Stats"];
export type MarketCell = S["MarketCell"];
export type Connection = S["Connection"];

export type Deployment = S["Deployment"];
export type DeploymentCreate = S["DeploymentCreate"];
export type DeploymentPage = S["Page_Deployment_"];
export type PredictResponse = S["PredictResponse"];
export type SchedulePreview = S["SchedulePreview"];
export type DeploymentUpdate = S["DeploymentUpdate"];
export type DeploymentBulkCreate = S["DeploymentBulkCreate"];
export type InputSpec = S["InputSpec"];
export type BadRows = Deployment["on_bad_rows"];
export type ScheduleSpec = S["ScheduleSpec"];
export type Dataset = S["Dataset"];
export type LoggedPrediction = S["LoggedPrediction"];
export type LoggedPredictionPage = S["Page_LoggedPrediction_"];

export type SelfService = S["SelfService"];
export type SelfServiceOpen = S["SelfServiceOpen"];
export type SelfServiceDeploy = S["SelfServiceDeploy"];
export type MarketRequest = S["MarketRequest"];
export type MarketRequestCreate = S["MarketRequestCreate"];
export type MarketRequestApprove = S["MarketRequestApprove"];
export type MarketRequestPage = S["Page_MarketRequest_"];

export type Notification = S["Notification"];
export type NotificationPage = S["Page_Notification_"];
export type MarkedRead = S["MarkedRead"];
export type Subscription = S["Subscription"];
export type SubscriptionCreate = S["SubscriptionCreate"];

export type Execution = S["Execution"];
export type ExecutionStatus = Execution["status"];
export type ExecutionPage = S["Page_Execution_"];
export type ExecutionLog = S["ExecutionLog"];
export type ResultPage = S["ResultPage"];

/** The roles from the least to the most allowed (`satisfies` checks each is a role of the schema). */
export const ROLES = ["viewer", "business_user", "data_scientist", "admin"] as const satisfies readonly Role[];

/** True when `role` may do what `needed` may (viewer < business_user < data_scientist < admin). */
export function roleAllows(role: Role | undefined, needed: Role): boolean {
  if (!role) return false;
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

export const EXECUTION_STATUSES = [
  "queued",
  "running",
  "succeeded",
  "failed",
  "cancelled",
] as const satisfies readonly ExecutionStatus[];
export const TERMINAL_STATUSES: readonly ExecutionStatus[] = ["succeeded", "failed", "cancelled"];

// --- datasets
export type DatasetSummary = S["DatasetSummary"];
export type DatasetSummaryPage = S["Page_DatasetSummary_"];
export type DatasetUpdate = S["DatasetUpdate"];
export type DatasetSqlCreate = S["DatasetSqlCreate"];
export type ParseReport = S["ParseReport"];
export type DatasetProfile = S["DatasetProfile"];
export type ColumnProfile = S["ColumnProfile"];
export type ColumnKind = ColumnProfile["kind"];
export type ProfileWarning = S["ProfileWarning"];
export type CleaningStep = NonNullable<Dataset["steps"]>[number];
export type CleaningOp = CleaningStep["op"];
export type CleaningPreview = S["CleaningPreview"];
export type StepEffect = S["StepEffect"];

// --- trainings
export type Training = S["Training"];
export type TrainingPage = S["Page_Training_"];
export type TrainingCreate = S["TrainingCreate"];
export type TrainingRegister = S["TrainingRegister"];
export type LeaderboardEntry = S["LeaderboardEntry"];
export type Evaluation = S["Evaluation"];
export type Curve = S["Curve"];
export type ConfusionMatrix = S["ConfusionMatrix"];
export type ChallengerReport = S["ChallengerReport"];
export type Task = NonNullable<TrainingCreate["task"]>;
export type MetricName = NonNullable<TrainingCreate["metric"]>;
export type CandidateName = NonNullable<TrainingCreate["candidates"]>[number];
