// The files a saved automatic email step of a plan carries: every email the step sends has them.
// Added from the device (the API checks the bytes and the step's limits) and removed at once,
// apart from the plan's form: they belong to the step's position in the saved plan.
import { useMutation } from "@connectrpc/connect-query";
import { PlanService, type PlanStep } from "@relance/api/relance/v1/plan_pb";
import { FilePicker } from "../files/picker";
import { useI18n } from "../i18n/i18n";
import { useRefresh } from "../transport/invalidate";

export function PlanFiles({ planId, position, saved }: { planId: string; position: number; saved: PlanStep }) {
  const { t } = useI18n();
  const refresh = useRefresh(PlanService);
  const add = useMutation(PlanService.method.addPlanFile, { onSuccess: refresh });
  const remove = useMutation(PlanService.method.removePlanFile, { onSuccess: refresh });
  return (
    <FilePicker
      label={t("plans.files")}
      hint={t("plans.filesHint")}
      files={saved.files}
      adding={add.isPending}
      removing={remove.isPending}
      onAdd={(file) => {
        remove.reset();
        add.mutate({ planId, step: position, ...file });
      }}
      onRemove={(f) => remove.mutate({ fileId: f.id })}
      error={add.error ?? remove.error}
    />
  );
}
