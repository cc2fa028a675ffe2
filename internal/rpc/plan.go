package rpc

import (
	"context"
	"time"

	"connectrpc.com/connect"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/internal/relance"
)

type planService struct{ *handlers }

var anchors = map[relance.Anchor]v1.StepAnchor{
	relance.AnchorReceived: v1.StepAnchor_STEP_ANCHOR_RECEIVED,
	relance.AnchorEnrolled: v1.StepAnchor_STEP_ANCHOR_ENROLLED,
}

var stepAssignees = map[relance.StepAssignee]v1.StepAssignee{
	relance.AssignAdvisor: v1.StepAssignee_STEP_ASSIGNEE_ADVISOR,
	relance.AssignManager: v1.StepAssignee_STEP_ASSIGNEE_MANAGER,
}

var enrolmentStates = map[relance.EnrolmentState]v1.EnrolmentState{
	relance.EnrolmentActive:    v1.EnrolmentState_ENROLMENT_STATE_ACTIVE,
	relance.EnrolmentPaused:    v1.EnrolmentState_ENROLMENT_STATE_PAUSED,
	relance.EnrolmentCompleted: v1.EnrolmentState_ENROLMENT_STATE_COMPLETED,
	relance.EnrolmentExited:    v1.EnrolmentState_ENROLMENT_STATE_EXITED,
}

var (
	anchorOf       = reverse(anchors)
	stepAssigneeOf = reverse(stepAssignees)
)

// planIn reads a plan from the wire; what the .proto cannot say, Plan.Validate checks.
func planIn(m *v1.PlanInput) (relance.Plan, error) {
	plan := relance.Plan{
		Name: m.GetName(), EnrolSources: m.GetEnrolSources(), EnrolStatusID: parseID(m.GetEnrolStatusId()),
		PartnerLeadsAllowed: m.GetPartnerLeadsAllowed(),
	}
	for _, s := range m.GetSteps() {
		step := relance.Step{
			Kind: kindOf[s.GetKind()], Automatic: s.GetAutomatic(), Anchor: anchorOf[s.GetAnchor()],
			AfterDays: int(s.GetAfterDays()), MinGapDays: int(s.GetMinGapDays()), Subject: s.GetSubject(), Body: s.GetBody(),
			Assignee: stepAssigneeOf[s.GetAssignee()],
		}
		if step.Anchor == "" {
			step.Anchor = relance.AnchorReceived
		}
		if step.Assignee == "" {
			step.Assignee = relance.AssignAdvisor
		}
		if s.GetSendTime() != "" {
			m, err := relance.ParseClock(s.GetSendTime())
			if err != nil {
				return plan, invalid("steps.send_time", err.Error())
			}
			step.SendMinute = &m
		}
		for _, d := range s.GetWeekdays() {
			step.Weekdays |= 1 << isoWeekday(d)
		}
		plan.Steps = append(plan.Steps, step)
	}
	return plan, nil
}

func planOut(p relance.Plan) *v1.Plan {
	out := &v1.Plan{
		Id: p.ID.String(), Name: p.Name, Paused: p.Paused, EnrolSources: p.EnrolSources,
		EnrolStatusId: idString(p.EnrolStatusID), ArchiveTime: ts(p.ArchivedAt), PartnerLeadsAllowed: p.PartnerLeadsAllowed,
	}
	for _, s := range p.Steps {
		step := &v1.PlanStep{
			Kind: kinds[s.Kind], Automatic: s.Automatic, Anchor: anchors[s.Anchor], AfterDays: int32(s.AfterDays),
			MinGapDays: int32(s.MinGapDays), Subject: s.Subject, Body: s.Body, Assignee: stepAssignees[s.Assignee],
			Files: attachmentsOut(s.Files),
		}
		if s.SendMinute != nil {
			step.SendTime = relance.FormatClock(*s.SendMinute)
		}
		for d := range 7 {
			if s.Days()&(1<<d) != 0 {
				step.Weekdays = append(step.Weekdays, wireWeekday(time.Weekday(d)))
			}
		}
		out.Steps = append(out.Steps, step)
	}
	return out
}

func enrolmentOut(e relance.Enrolment) *v1.Enrolment {
	return &v1.Enrolment{
		Id: e.ID.String(), PlanId: e.PlanID.String(), LeadId: e.LeadID.String(), State: enrolmentStates[e.State],
		ExitReason: e.ExitReason, Step: int32(e.Step), EnrolTime: tsv(e.EnrolledAt), EndTime: ts(e.EndedAt),
	}
}

func (s *planService) CreatePlan(ctx context.Context, req *connect.Request[v1.CreatePlanRequest]) (*connect.Response[v1.CreatePlanResponse], error) {
	plan, err := planIn(req.Msg.GetPlan())
	if err == nil {
		plan, err = s.store.CreatePlan(ctx, principal(ctx), plan)
	}
	if err != nil {
		return nil, s.fail(ctx, inField("plan", err))
	}
	return connect.NewResponse(&v1.CreatePlanResponse{Plan: planOut(plan)}), nil
}

func (s *planService) UpdatePlan(ctx context.Context, req *connect.Request[v1.UpdatePlanRequest]) (*connect.Response[v1.UpdatePlanResponse], error) {
	plan, err := planIn(req.Msg.GetPlan())
	if err == nil {
		plan, err = s.store.UpdatePlan(ctx, principal(ctx), parseID(req.Msg.GetPlanId()), plan)
	}
	if err != nil {
		return nil, s.fail(ctx, inField("plan", err))
	}
	return connect.NewResponse(&v1.UpdatePlanResponse{Plan: planOut(plan)}), nil
}

func (s *planService) PausePlan(ctx context.Context, req *connect.Request[v1.PausePlanRequest]) (*connect.Response[v1.PausePlanResponse], error) {
	plan, err := s.store.SetPlanPaused(ctx, principal(ctx), parseID(req.Msg.GetPlanId()), true)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.PausePlanResponse{Plan: planOut(plan)}), nil
}

func (s *planService) ResumePlan(ctx context.Context, req *connect.Request[v1.ResumePlanRequest]) (*connect.Response[v1.ResumePlanResponse], error) {
	plan, err := s.store.SetPlanPaused(ctx, principal(ctx), parseID(req.Msg.GetPlanId()), false)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.ResumePlanResponse{Plan: planOut(plan)}), nil
}

func (s *planService) ArchivePlan(ctx context.Context, req *connect.Request[v1.ArchivePlanRequest]) (*connect.Response[v1.ArchivePlanResponse], error) {
	if err := s.store.ArchivePlan(ctx, principal(ctx), parseID(req.Msg.GetPlanId())); err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.ArchivePlanResponse{}), nil
}

func (s *planService) GetPlan(ctx context.Context, req *connect.Request[v1.GetPlanRequest]) (*connect.Response[v1.GetPlanResponse], error) {
	plan, err := s.store.GetPlan(ctx, principal(ctx), parseID(req.Msg.GetPlanId()))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.GetPlanResponse{Plan: planOut(plan)}), nil
}

func (s *planService) ListPlans(ctx context.Context, req *connect.Request[v1.ListPlansRequest]) (*connect.Response[v1.ListPlansResponse], error) {
	plans, err := s.store.ListPlans(ctx, principal(ctx), req.Msg.GetIncludeArchived())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.ListPlansResponse{}
	for _, p := range plans {
		out.Plans = append(out.Plans, planOut(p))
	}
	return connect.NewResponse(out), nil
}

func (s *planService) EnrolLead(ctx context.Context, req *connect.Request[v1.EnrolLeadRequest]) (*connect.Response[v1.EnrolLeadResponse], error) {
	e, err := s.store.EnrolLead(ctx, principal(ctx), parseID(req.Msg.GetPlanId()), parseID(req.Msg.GetLeadId()))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.EnrolLeadResponse{Enrolment: enrolmentOut(e)}), nil
}

func (s *planService) PauseEnrolment(ctx context.Context, req *connect.Request[v1.PauseEnrolmentRequest]) (*connect.Response[v1.PauseEnrolmentResponse], error) {
	e, err := s.store.SetEnrolmentPaused(ctx, principal(ctx), parseID(req.Msg.GetEnrolmentId()), true)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.PauseEnrolmentResponse{Enrolment: enrolmentOut(e)}), nil
}

func (s *planService) ResumeEnrolment(ctx context.Context, req *connect.Request[v1.ResumeEnrolmentRequest]) (*connect.Response[v1.ResumeEnrolmentResponse], error) {
	e, err := s.store.SetEnrolmentPaused(ctx, principal(ctx), parseID(req.Msg.GetEnrolmentId()), false)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.ResumeEnrolmentResponse{Enrolment: enrolmentOut(e)}), nil
}

func (s *planService) RemoveEnrolment(ctx context.Context, req *connect.Request[v1.RemoveEnrolmentRequest]) (*connect.Response[v1.RemoveEnrolmentResponse], error) {
	e, err := s.store.RemoveEnrolment(ctx, principal(ctx), parseID(req.Msg.GetEnrolmentId()))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.RemoveEnrolmentResponse{Enrolment: enrolmentOut(e)}), nil
}

func (s *planService) ListEnrolments(ctx context.Context, req *connect.Request[v1.ListEnrolmentsRequest]) (*connect.Response[v1.ListEnrolmentsResponse], error) {
	list, err := s.store.ListEnrolments(ctx, principal(ctx), parseID(req.Msg.GetLeadId()))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.ListEnrolmentsResponse{}
	for _, e := range list {
		out.Enrolments = append(out.Enrolments, enrolmentOut(e))
	}
	return connect.NewResponse(out), nil
}

func (s *planService) GetPlanStats(ctx context.Context, req *connect.Request[v1.GetPlanStatsRequest]) (*connect.Response[v1.GetPlanStatsResponse], error) {
	window := int(req.Msg.GetWindowDays())
	if window == 0 {
		window = 7
	}
	stats, err := s.store.PlanStats(ctx, principal(ctx), parseID(req.Msg.GetPlanId()), window)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.GetPlanStatsResponse{}
	for _, st := range stats {
		out.Steps = append(out.Steps, &v1.StepStats{
			Step: int32(st.Step), Executed: int32(st.Executed), Skipped: int32(st.Skipped), Failed: int32(st.Failed),
			Pending: int32(st.Pending), Cancelled: int32(st.Cancelled), Answered: int32(st.Answered), Won: int32(st.Won),
			Sent: int32(st.Sent), NotDelivered: int32(st.NotDelivered), Queued: int32(st.Queued),
		})
	}
	return connect.NewResponse(out), nil
}

func (s *planService) AddPlanFile(ctx context.Context, req *connect.Request[v1.AddPlanFileRequest]) (*connect.Response[v1.AddPlanFileResponse], error) {
	m := req.Msg
	f, err := s.store.AddPlanFile(ctx, principal(ctx), parseID(m.GetPlanId()), int(m.GetStep()), m.GetFileName(), m.GetContentType(), m.GetData())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.AddPlanFileResponse{File: attachmentOut(f)}), nil
}

func (s *planService) RemovePlanFile(ctx context.Context, req *connect.Request[v1.RemovePlanFileRequest]) (*connect.Response[v1.RemovePlanFileResponse], error) {
	if err := s.store.RemovePlanFile(ctx, principal(ctx), parseID(req.Msg.GetFileId())); err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.RemovePlanFileResponse{}), nil
}
