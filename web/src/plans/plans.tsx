// Follow-up plans (admins): the plans with their state, paused, resumed or archived; a plan
// created or edited with its enrolment rules and its steps — automatic email or SMS sent by the
// system, or a manual call, letter, task, email or SMS put in someone's inbox — each with its
// delay, days, time and content, and a saved automatic email step with its files. The API's
// violations appear next to the step field they name.
import { type FormEvent, type ReactNode, useState } from "react";
import { create } from "@bufbuild/protobuf";
import { useMutation, useQuery } from "@connectrpc/connect-query";
import { type Plan, PlanService, type PlanStep, PlanStepSchema, StepAnchor, StepAssignee } from "@relance/api/relance/v1/plan_pb";
import { StatusService } from "@relance/api/relance/v1/status_pb";
import { ActivityKind, Weekday } from "@relance/api/relance/v1/types_pb";
import { CheckGroup } from "../forms/checks";
import { ErrorBanner, Field, Loading } from "../forms/field";
import { useEditorSaves } from "../forms/editor";
import { KindOptions } from "../forms/kinds";
import { int } from "../forms/number";
import { useI18n } from "../i18n/i18n";
import type { MessageKey } from "../i18n/fr";
import { useRefresh } from "../transport/invalidate";
import { PlanFiles } from "./files";

const kinds = [ActivityKind.CALL, ActivityKind.EMAIL, ActivityKind.SMS, ActivityKind.LETTER, ActivityKind.TASK];
const sendable = [ActivityKind.EMAIL, ActivityKind.SMS];
const weekdays = [Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY, Weekday.FRIDAY, Weekday.SATURDAY, Weekday.SUNDAY];

export function PlansPage() {
  const { t } = useI18n();
  const plans = useQuery(PlanService.method.listPlans, { includeArchived: true });
  const refresh = useRefresh(PlanService);
  const options = { onSuccess: refresh };
  const pause = useMutation(PlanService.method.pausePlan, options);
  const resume = useMutation(PlanService.method.resumePlan, options);
  const archive = useMutation(PlanService.method.archivePlan, options);
  const [editing, setEditing] = useState("");
  const list = plans.data?.plans ?? [];
  const plan = list.find((p) => p.id === editing);
  const busy = pause.isPending || resume.isPending || archive.isPending;
  return (
    <>
      <h1>{t("plans.title")}</h1>
      <ErrorBanner error={plans.error ?? pause.error ?? resume.error ?? archive.error} />
      {plans.isPending ? (
        <Loading />
      ) : list.length === 0 ? (
        <p className="muted">{t("plans.empty")}</p>
      ) : (
        <ul className="list">
          {list.map((p) => (
            <li key={p.id} className="card" aria-label={p.name}>
              <p className="card-title">{p.name}</p>
              <p className="muted">
                {t(p.archiveTime ? "plans.archived" : p.paused ? "plans.paused" : "plans.running")} · {t("plans.stepCount", { count: p.steps.length })}
              </p>
              {!p.archiveTime && (
                <div className="row">
                  <button type="button" onClick={() => setEditing(p.id)}>
                    {t("common.edit")}
                  </button>
                  {p.paused ? (
                    <button type="button" disabled={busy} onClick={() => resume.mutate({ planId: p.id })}>
                      {t("plans.resume")}
                    </button>
                  ) : (
                    <button type="button" disabled={busy} onClick={() => pause.mutate({ planId: p.id })}>
                      {t("plans.pause")}
                    </button>
                  )}
                  <button type="button" className="danger" disabled={busy} onClick={() => window.confirm(t("plans.confirmArchive", { name: p.name })) && archive.mutate({ planId: p.id })}>
                    {t("plans.archive")}
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      <PlanForm key={plan?.id ?? "new"} plan={plan} onDone={() => setEditing("")} />
    </>
  );
}

function newStep(): PlanStep {
  return create(PlanStepSchema, { kind: ActivityKind.CALL, anchor: StepAnchor.RECEIVED, assignee: StepAssignee.ADVISOR });
}

/** PlanForm creates a plan, or replaces plan's name, enrolment rules and steps when given. */
function PlanForm({ plan, onDone }: { plan: Plan | undefined; onDone: () => void }) {
  const { t } = useI18n();
  const refresh = useRefresh(PlanService);
  const statuses = useQuery(StatusService.method.listStatuses, {});
  const [name, setName] = useState(plan?.name ?? "");
  const [sources, setSources] = useState(plan?.enrolSources.join(", ") ?? "");
  const [statusId, setStatusId] = useState(plan?.enrolStatusId ?? "");
  const [partners, setPartners] = useState(plan?.partnerLeadsAllowed ?? false);
  const [steps, setSteps] = useState<PlanStep[]>(plan?.steps ?? [newStep()]);
  const reset = () => {
    setName("");
    setSources("");
    setStatusId("");
    setPartners(false);
    setSteps([newStep()]);
  };
  const {
    create: createPlan,
    update: updatePlan,
    save,
    errors,
  } = useEditorSaves({ create: PlanService.method.createPlan, update: PlanService.method.updatePlan }, !!plan, { reset, refresh, onDone });
  const edit = (i: number, change: Partial<PlanStep>) => {
    save.reset();
    setSteps((ss) => ss.map((s, j) => (j === i ? { ...s, ...change } : s)));
  };
  const move = (i: number, by: number) =>
    setSteps((ss) => {
      const out = [...ss];
      const [s] = out.splice(i, 1);
      if (s) out.splice(i + by, 0, s);
      return out;
    });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const input = {
      name,
      enrolSources: sources
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== ""),
      enrolStatusId: statusId,
      partnerLeadsAllowed: partners,
      steps,
    };
    if (plan) updatePlan.mutate({ planId: plan.id, plan: input });
    else createPlan.mutate({ plan: input });
  };
  const usable = (statuses.data?.statuses ?? []).filter((s) => !s.archiveTime);
  return (
    <form className="card" onSubmit={submit} aria-labelledby="plan-form">
      <h2 id="plan-form">{plan ? t("plans.editTitle", { name: plan.name }) : t("plans.create")}</h2>
      {Object.keys(errors).length === 0 && <ErrorBanner error={save.error} />}
      {save.isSuccess && (
        <p className="banner ok" role="status">
          {t("common.saved")}
        </p>
      )}
      <Field label={t("plans.name")} error={errors["plan.name"]}>
        {(p) => <input {...p} maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <div className="grid">
        <Field label={t("plans.sources")} error={errors["plan.enrol_sources"]}>
          {(p) => <input {...p} value={sources} onChange={(e) => setSources(e.target.value)} />}
        </Field>
        <Field label={t("plans.status")} error={errors["plan.enrol_status_id"]}>
          {(p) => (
            <select {...p} value={statusId} onChange={(e) => setStatusId(e.target.value)}>
              <option value="">{t("plans.noStatus")}</option>
              {usable.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <label className="check">
        <input type="checkbox" checked={partners} onChange={(e) => setPartners(e.target.checked)} />
        {t("plans.partners")}
      </label>
      <h3>{t("plans.steps")}</h3>
      {errors["plan.steps"] && (
        <p className="field-error" role="alert">
          {errors["plan.steps"]}
        </p>
      )}
      <ol className="list">
        {steps.map((s, i) => (
          <li key={i}>
            <StepEditor
              n={i + 1}
              step={s}
              errors={errors}
              at={`plan.steps[${i}]`}
              onChange={(change) => edit(i, change)}
              onMove={(by) => move(i, by)}
              onRemove={() => setSteps((ss) => ss.filter((_, j) => j !== i))}
              last={i === steps.length - 1}
              files={plan && emailsAt(plan, i) && emailsAt({ steps }, i) ? <PlanFiles planId={plan.id} position={i} saved={plan.steps[i]!} /> : null}
            />
          </li>
        ))}
      </ol>
      <div className="row">
        <button type="button" onClick={() => setSteps((ss) => [...ss, newStep()])}>
          {t("plans.addStep")}
        </button>
        <button type="submit" className="primary" disabled={save.isPending}>
          {plan ? t("common.save") : t("plans.submit")}
        </button>
        {plan && (
          <button type="button" onClick={onDone}>
            {t("common.cancel")}
          </button>
        )}
      </div>
    </form>
  );
}

/** emailsAt tells whether step i of plan (saved or being edited) sends an automatic email: the steps whose files the API keeps. */
function emailsAt(plan: { steps: PlanStep[] }, i: number): boolean {
  const s = plan.steps[i];
  return s !== undefined && s.automatic && s.kind === ActivityKind.EMAIL;
}

/** StepEditor edits one step; errors are the form's, at the step's path; files are the saved step's. */
function StepEditor({
  n,
  step,
  errors,
  at,
  onChange,
  onMove,
  onRemove,
  last,
  files,
}: {
  n: number;
  step: PlanStep;
  errors: Record<string, string>;
  at: string;
  onChange: (change: Partial<PlanStep>) => void;
  onMove: (by: number) => void;
  onRemove: () => void;
  last: boolean;
  files: ReactNode;
}) {
  const { t } = useI18n();
  const automatic = step.automatic && sendable.includes(step.kind);
  const err = (f: string) => errors[`${at}.${f}`];
  return (
    <fieldset className="card">
      <legend>{t("plans.step", { n })}</legend>
      {errors[at] && (
        <p className="field-error" role="alert">
          {errors[at]}
        </p>
      )}
      <div className="grid">
        <Field label={t("plans.kind")} error={err("kind")}>
          {(p) => (
            <select {...p} value={step.kind} onChange={(e) => onChange({ kind: Number(e.target.value), automatic: step.automatic && sendable.includes(Number(e.target.value)) })}>
              <KindOptions kinds={kinds} />
            </select>
          )}
        </Field>
        <Field label={t("plans.anchor")} error={err("anchor")}>
          {(p) => (
            <select {...p} value={step.anchor || StepAnchor.RECEIVED} onChange={(e) => onChange({ anchor: Number(e.target.value) })}>
              <option value={StepAnchor.RECEIVED}>{t("plans.anchor.1")}</option>
              <option value={StepAnchor.ENROLLED}>{t("plans.anchor.2")}</option>
            </select>
          )}
        </Field>
        <Field label={t("plans.afterDays")} error={err("after_days")}>
          {(p) => <input {...p} type="number" step={1} value={step.afterDays} onChange={(e) => onChange({ afterDays: int(e.target.value) })} />}
        </Field>
        <Field label={t("plans.minGap")} error={err("min_gap_days")}>
          {(p) => <input {...p} type="number" step={1} value={step.minGapDays} onChange={(e) => onChange({ minGapDays: int(e.target.value) })} />}
        </Field>
        <Field label={t("plans.sendTime")} error={err("send_time")}>
          {(p) => <input {...p} inputMode="numeric" placeholder="09:30" size={5} value={step.sendTime} onChange={(e) => onChange({ sendTime: e.target.value })} />}
        </Field>
        {!automatic && (
          <Field label={t("plans.assignee")} error={err("assignee")}>
            {(p) => (
              <select {...p} value={step.assignee || StepAssignee.ADVISOR} onChange={(e) => onChange({ assignee: Number(e.target.value) })}>
                <option value={StepAssignee.ADVISOR}>{t("plans.assignee.1")}</option>
                <option value={StepAssignee.MANAGER}>{t("plans.assignee.2")}</option>
              </select>
            )}
          </Field>
        )}
      </div>
      {sendable.includes(step.kind) && (
        <label className="check">
          <input type="checkbox" checked={step.automatic} onChange={(e) => onChange({ automatic: e.target.checked })} />
          {t("plans.automatic")}
        </label>
      )}
      <CheckGroup
        legend={t("plans.weekdays")}
        options={weekdays.map((d) => ({ value: d, label: t(`weekday.${d}` as MessageKey) }))}
        chosen={step.weekdays}
        onChange={(weekdays) => onChange({ weekdays })}
        error={err("weekdays")}
      />
      <Field label={t("plans.subject")} error={err("subject")}>
        {(p) => <input {...p} maxLength={200} value={step.subject} onChange={(e) => onChange({ subject: e.target.value })} />}
      </Field>
      <Field label={t("plans.body")} error={err("body")}>
        {(p) => <textarea {...p} rows={4} value={step.body} onChange={(e) => onChange({ body: e.target.value })} />}
      </Field>
      <p className="muted">{t("plans.variables")}</p>
      {files}
      <div className="row">
        <button type="button" disabled={n === 1} onClick={() => onMove(-1)}>
          {t("plans.up")}
        </button>
        <button type="button" disabled={last} onClick={() => onMove(1)}>
          {t("plans.down")}
        </button>
        <button type="button" className="link" onClick={onRemove}>
          {t("plans.removeStep", { n })}
        </button>
      </div>
    </fieldset>
  );
}
