// Interaction statuses (admins): the organisation's reference book — its order, what a status may
// be set on, the call it schedules after so many working days, the stage it closes a lead to —
// added, edited, and deleted (archived by the API when something uses it).
import { type FormEvent, useState } from "react";
import { useMutation, useQuery } from "@connectrpc/connect-query";
import { type Status, StatusScope, StatusService } from "@relance/api/relance/v1/status_pb";
import { LeadStage } from "@relance/api/relance/v1/types_pb";
import { DeleteButton } from "../forms/delete";
import { ErrorBanner, Field } from "../forms/field";
import { useEditorSaves } from "../forms/editor";
import { int } from "../forms/number";
import { useI18n } from "../i18n/i18n";
import type { MessageKey } from "../i18n/fr";
import { ListTable } from "../layout/table";
import { useRefresh } from "../transport/invalidate";

const scopes = [StatusScope.LEADS, StatusScope.COUNTERPARTIES, StatusScope.BOTH];
const stages = [LeadStage.UNSPECIFIED, LeadStage.WON, LeadStage.REJECTED];

/** useStageLabel names the stage a status closes a lead to, or says it closes none. */
function useStageLabel(): (stage: LeadStage) => string {
  const { t } = useI18n();
  return (stage) => (stage === LeadStage.UNSPECIFIED ? t("statuses.noStage") : t(`stage.${stage}` as MessageKey));
}

export function StatusesPage() {
  const { t } = useI18n();
  const stageLabel = useStageLabel();
  const statuses = useQuery(StatusService.method.listStatuses, { includeArchived: true });
  const refresh = useRefresh(StatusService);
  const remove = useMutation(StatusService.method.deleteStatus, { onSuccess: refresh });
  const [editing, setEditing] = useState("");
  const list = statuses.data?.statuses ?? [];
  const status = list.find((s) => s.id === editing);
  return (
    <>
      <h1>{t("statuses.title")}</h1>
      <ErrorBanner error={statuses.error ?? remove.error} />
      {remove.data?.archived && (
        <p className="banner ok" role="status">
          {t("statuses.archivedInstead")}
        </p>
      )}
      <ListTable
        pending={statuses.isPending}
        empty={false}
        label={t("statuses.list")}
        headers={[t("statuses.name"), t("statuses.appliesTo"), t("statuses.call"), t("statuses.closes"), t("statuses.state")]}
      >
        {list.map((s) => (
          <tr key={s.id}>
            <th scope="row">{s.name}</th>
            <td>{t(`scope.status.${s.appliesTo}` as MessageKey)}</td>
            <td>{s.schedulesCall ? t("statuses.callAfter", { days: s.callAfterDays }) : t("common.none")}</td>
            <td>{stageLabel(s.terminalStage)}</td>
            <td>
              {s.archiveTime ? (
                t("statuses.archived")
              ) : (
                <div className="row">
                  <button type="button" className="link" aria-label={t("statuses.editNamed", { name: s.name })} onClick={() => setEditing(s.id)}>
                    {t("common.edit")}
                  </button>
                  <DeleteButton
                    label={t("statuses.deleteNamed", { name: s.name })}
                    confirm={t("statuses.confirmDelete", { name: s.name })}
                    pending={remove.isPending}
                    onDelete={() => remove.mutate({ statusId: s.id })}
                  />
                </div>
              )}
            </td>
          </tr>
        ))}
      </ListTable>
      <StatusForm key={status?.id ?? "new"} status={status} onDone={() => setEditing("")} />
    </>
  );
}

/** StatusForm adds a status, or edits status when given. */
function StatusForm({ status, onDone }: { status: Status | undefined; onDone: () => void }) {
  const { t } = useI18n();
  const stageLabel = useStageLabel();
  const refresh = useRefresh(StatusService);
  const [name, setName] = useState(status?.name ?? "");
  const [order, setOrder] = useState(String(status?.sortOrder ?? 0));
  const [appliesTo, setAppliesTo] = useState<StatusScope>(status?.appliesTo || StatusScope.LEADS);
  const [schedulesCall, setSchedulesCall] = useState(status?.schedulesCall ?? false);
  const [days, setDays] = useState(String(status?.callAfterDays ?? 0));
  const [stage, setStage] = useState<LeadStage>(status?.terminalStage ?? LeadStage.UNSPECIFIED);
  const reset = () => {
    setName("");
    setOrder("0");
    setSchedulesCall(false);
    setDays("0");
    setStage(LeadStage.UNSPECIFIED);
  };
  const {
    create: createStatus,
    update: updateStatus,
    save,
    errors,
  } = useEditorSaves({ create: StatusService.method.createStatus, update: StatusService.method.updateStatus }, !!status, { reset, refresh, onDone });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const fields = { name, sortOrder: int(order), appliesTo, schedulesCall, callAfterDays: int(days), terminalStage: stage };
    if (status) updateStatus.mutate({ statusId: status.id, ...fields });
    else createStatus.mutate(fields);
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="status-form">
      <h2 id="status-form">{status ? t("statuses.editTitle", { name: status.name }) : t("statuses.create")}</h2>
      {Object.keys(errors).length === 0 && <ErrorBanner error={save.error} />}
      {save.isSuccess && (
        <p className="banner ok" role="status">
          {t("common.saved")}
        </p>
      )}
      <Field label={t("statuses.name")} error={errors["name"]}>
        {(p) => <input {...p} maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <div className="grid">
        <Field label={t("statuses.order")} error={errors["sort_order"]}>
          {(p) => <input {...p} type="number" step={1} value={order} onChange={(e) => setOrder(e.target.value)} />}
        </Field>
        <Field label={t("statuses.appliesTo")} error={errors["applies_to"]}>
          {(p) => (
            <select {...p} value={appliesTo} onChange={(e) => setAppliesTo(Number(e.target.value))}>
              {scopes.map((s) => (
                <option key={s} value={s}>
                  {t(`scope.status.${s}` as MessageKey)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t("statuses.closes")} error={errors["terminal_stage"]}>
          {(p) => (
            <select {...p} value={stage} onChange={(e) => setStage(Number(e.target.value))}>
              {stages.map((s) => (
                <option key={s} value={s}>
                  {stageLabel(s)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <label className="check">
        <input type="checkbox" checked={schedulesCall} onChange={(e) => setSchedulesCall(e.target.checked)} />
        {t("statuses.schedulesCall")}
      </label>
      <Field label={t("statuses.days")} error={errors["call_after_days"]}>
        {(p) => <input {...p} type="number" step={1} value={days} onChange={(e) => setDays(e.target.value)} />}
      </Field>
      <div className="row">
        <button type="submit" className="primary" disabled={save.isPending}>
          {status ? t("common.save") : t("statuses.submit")}
        </button>
        {status && (
          <button type="button" onClick={onDone}>
            {t("common.cancel")}
          </button>
        )}
      </div>
    </form>
  );
}
