/**
 * Train a model (/trainings/new?dataset=&version=&target=): dataset, target, task and metric, budget,
 * then review and start; the API's refusal is shown on the step of the field it names.
 */
import { Box, Button, Card, CardContent, Stack, Step, StepButton, Stepper, Typography } from "@mui/material";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate, useSearchParams } from "react-router";
import { ApiError, getDatasetVersion, listDatasets, startTraining } from "../api/client";
import { errorField, fieldErrors } from "../api/errors";
import { ErrorAlert } from "../components/States";
import { RequireRole } from "../components/Forbidden";
import { useI18n, type MessageKey } from "../i18n";
import { BudgetStep, DatasetStep, ReviewStep, TargetStep, TaskStep } from "./WizardSteps";
import { firstOpenStep, formFromParams, STEP_FIELDS, stepComplete, stepOfField, STEPS, trainingCreate, type WizardForm } from "./wizard";

const ALL_FIELDS = STEPS.flatMap((s) => STEP_FIELDS[s]);

export function TrainWizardPage() {
  const { t } = useI18n();
  return (
    <Box>
      <Typography variant="h1" sx={{ mb: 2 }}>
        {t("trainings.wizard.title")}
      </Typography>
      <RequireRole role="data_scientist">
        <Wizard />
      </RequireRole>
    </Box>
  );
}

function Wizard() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [form, setForm] = useState<WizardForm>(() => formFromParams(params));
  const [step, setStep] = useState(() => firstOpenStep(form));
  const datasets = useQuery({ queryKey: ["datasets", { page_size: 100 }], queryFn: () => listDatasets({ page_size: 100 }) });
  const version = useQuery({
    queryKey: ["datasets", form.dataset, "versions", form.version ?? "latest"],
    queryFn: () => getDatasetVersion(form.dataset, form.version ?? "latest"),
    enabled: !!form.dataset,
  });
  const start = useMutation({
    mutationFn: () => startTraining(trainingCreate(form)),
    onSuccess: (training) => void navigate(`/trainings/${training.id}`),
    onError: (err) => {
      // A field's refusal takes the user back to the step that holds it.
      if (err instanceof ApiError && errorField(err, ALL_FIELDS)) setStep(stepOfField(err.field));
    },
  });
  const change = (next: Partial<WizardForm>) => {
    setForm((f) => ({ ...f, ...next }));
    if (start.error) start.reset();
  };
  const current = STEPS[step];
  const errors = fieldErrors(start.error, STEP_FIELDS[current], t);
  const placed = !!errorField(start.error, ALL_FIELDS);
  const last = step === STEPS.length - 1;
  const reachable = (i: number) => STEPS.slice(0, i).every((s) => stepComplete(s, form));
  return (
    <>
      <Stepper nonLinear activeStep={step} sx={{ mb: 3 }} data-testid="train-steps">
        {STEPS.map((s, i) => (
          <Step key={s} completed={i < step && stepComplete(s, form)}>
            <StepButton onClick={() => setStep(i)} disabled={!reachable(i)}>
              {t(`trainings.step.${s}` as MessageKey)}
            </StepButton>
          </Step>
        ))}
      </Stepper>
      <Card>
        <CardContent>
          <Typography variant="h2" component="h2" sx={{ mb: 2 }}>
            {t(`trainings.step.${current}.title` as MessageKey)}
          </Typography>
          {current === "dataset" && <DatasetStep form={form} onChange={change} datasets={datasets} errors={errors.of} />}
          {current === "target" && <TargetStep form={form} onChange={change} version={version} errors={errors.of} />}
          {current === "task" && <TaskStep form={form} onChange={change} version={version} errors={errors.of} />}
          {current === "budget" && <BudgetStep form={form} onChange={change} version={version} errors={errors.of} />}
          {current === "review" && <ReviewStep form={form} version={version.data} />}
          {!placed && <ErrorAlert error={start.error} sx={{ mt: 2 }} />}
        </CardContent>
      </Card>
      <Stack direction="row" spacing={2} sx={{ mt: 2, justifyContent: "space-between" }}>
        <Button onClick={() => setStep(step - 1)} disabled={step === 0}>
          {t("common.back")}
        </Button>
        {last ? (
          <Button variant="contained" onClick={() => start.mutate()} disabled={start.isPending || !STEPS.every((s) => stepComplete(s, form))}>
            {t("trainings.start")}
          </Button>
        ) : (
          <Button variant="contained" onClick={() => setStep(step + 1)} disabled={!stepComplete(current, form)}>
            {t("common.next")}
          </Button>
        )}
      </Stack>
    </>
  );
}
