export { TrainingsPage } from "./TrainingsPage";
export { TrainWizardPage } from "./TrainWizardPage";
export { TrainingPage } from "./TrainingPage";
export { CompareTrainingsPage } from "./CompareTrainingsPage";
