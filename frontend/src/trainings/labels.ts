/** The words for a task, a metric, a candidate and a duration in the language shown. */
import { useMemo } from "react";
import { isKey, useI18n } from "../i18n";
import { formatSeconds } from "./metrics";

export function useLabels() {
  const { t, locale } = useI18n();
  return useMemo(() => {
    /** A known label, else the API's name itself (a metric the API adds later still shows). */
    const named = (prefix: string, name: string) => {
      const key = `${prefix}.${name}`;
      return isKey(key) ? t(key) : name;
    };
    return {
      task: (name: string) => named("trainings.task", name),
      metric: (name: string) => named("trainings.metric", name),
      candidate: (name: string) => named("trainings.candidate", name),
      seconds: (value: number) => formatSeconds(value, locale),
    };
  }, [t, locale]);
}
