package rpc_test

import (
	"bytes"
	"crypto/sha256"
	"strings"
	"testing"

	"connectrpc.com/connect"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
)

// TestAttachmentsOverTheWire uploads a file in one message and downloads it in chunks over
// gRPC-web, as a browser would; sizes beyond the limit are refused before being stored.
func TestAttachmentsOverTheWire(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	w := s.world
	manager := s.as(s.login(t, w.Manager.Email))
	alice := s.as(s.login(t, w.Alice.Email), connect.WithGRPC())
	browser := s.as(s.login(t, w.Alice.Email), connect.WithGRPCWeb())

	st, err := manager.status.CreateStatus(ctx, connect.NewRequest(&v1.CreateStatusRequest{
		Name: "Devis envoyé", AppliesTo: v1.StatusScope_STATUS_SCOPE_LEADS, SchedulesCall: true, CallAfterDays: 2,
	}))
	if err != nil {
		t.Fatal(err)
	}
	lead := w.Lead(t, "Jean", w.Alice.ID)
	if _, err := alice.lead.UpdateLead(ctx, connect.NewRequest(&v1.UpdateLeadRequest{
		LeadId: lead.ID.String(), StatusId: new(st.Msg.GetStatus().GetId()),
	})); err != nil {
		t.Fatal(err)
	}
	inbox, err := alice.action.ListMyActions(ctx, connect.NewRequest(&v1.ListMyActionsRequest{}))
	if err != nil || len(inbox.Msg.GetItems()) != 1 {
		t.Fatalf("inbox = %v, %v", inbox, err)
	}
	actionID := inbox.Msg.GetItems()[0].GetAction().GetId()

	quote := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("0123456789abcdef"), 40_000)...) // 625 KiB
	added, err := alice.action.AddAttachment(ctx, connect.NewRequest(&v1.AddAttachmentRequest{
		ActionId: actionID, FileName: "devis.pdf", ContentType: "application/pdf", Data: quote,
	}))
	if err != nil {
		t.Fatal(err)
	}
	att := added.Msg.GetAttachment()
	sum := sha256.Sum256(quote)
	if att.GetSizeBytes() != int64(len(quote)) || !bytes.Equal(att.GetSha256(), sum[:]) {
		t.Fatalf("attachment = %v", att)
	}

	stream, err := browser.action.DownloadAttachment(ctx, connect.NewRequest(&v1.DownloadAttachmentRequest{AttachmentId: att.GetId()}))
	if err != nil {
		t.Fatal(err)
	}
	var got []byte
	var chunks int
	for stream.Receive() {
		if chunks == 0 && stream.Msg().GetAttachment().GetFileName() != "devis.pdf" {
			t.Fatalf("first message = %v", stream.Msg().GetAttachment())
		}
		got = append(got, stream.Msg().GetChunk()...)
		chunks++
	}
	if err := stream.Err(); err != nil || !bytes.Equal(got, quote) || chunks != 3 {
		t.Fatalf("downloaded %d bytes in %d messages (%v), want %d in 3", len(got), chunks, err, len(quote))
	}

	// The manager may not read it: the action is Alice's.
	denied, err := manager.action.DownloadAttachment(ctx, connect.NewRequest(&v1.DownloadAttachmentRequest{AttachmentId: att.GetId()}))
	if err == nil {
		for denied.Receive() {
			t.Fatal("the manager received part of the file")
		}
		err = denied.Err()
	}
	wantCode(t, err, connect.CodeNotFound)

	// Just beyond the limit: a field violation. Far beyond: refused while reading.
	over := append([]byte("%PDF-1.7\n"), make([]byte, 10<<20)...)
	_, err = alice.action.AddAttachment(ctx, connect.NewRequest(&v1.AddAttachmentRequest{
		ActionId: actionID, FileName: "big.pdf", ContentType: "application/pdf", Data: over,
	}))
	if got := violations(t, wantCode(t, err, connect.CodeInvalidArgument)); len(got) != 1 || !strings.HasPrefix(got[0], "data:") {
		t.Fatalf("violations = %v", got)
	}
	huge := append([]byte("%PDF-1.7\n"), make([]byte, 15<<20)...)
	_, err = alice.action.AddAttachment(ctx, connect.NewRequest(&v1.AddAttachmentRequest{
		ActionId: actionID, FileName: "huge.pdf", ContentType: "application/pdf", Data: huge,
	}))
	wantCode(t, err, connect.CodeResourceExhausted)
	_, err = alice.action.AddAttachment(ctx, connect.NewRequest(&v1.AddAttachmentRequest{ActionId: actionID, FileName: "x.pdf", ContentType: "application/pdf"}))
	if got := violations(t, wantCode(t, err, connect.CodeInvalidArgument)); len(got) != 1 || !strings.HasPrefix(got[0], "data:") {
		t.Fatalf("violations of an empty file = %v", got)
	}

	a, err := alice.action.GetAction(ctx, connect.NewRequest(&v1.GetActionRequest{ActionId: actionID}))
	if err != nil || len(a.Msg.GetAction().GetAttachments()) != 1 {
		t.Fatalf("action = %v, %v", a, err)
	}
	if _, err := alice.action.RemoveAttachment(ctx, connect.NewRequest(&v1.RemoveAttachmentRequest{AttachmentId: att.GetId()})); err != nil {
		t.Fatal(err)
	}
	a, err = alice.action.GetAction(ctx, connect.NewRequest(&v1.GetActionRequest{ActionId: actionID}))
	if err != nil || len(a.Msg.GetAction().GetAttachments()) != 0 {
		t.Fatalf("action after removal = %v, %v", a, err)
	}
}
