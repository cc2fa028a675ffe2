package postgres_test

import (
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/relancehq/relance/internal/relance"
	"github.com/relancehq/relance/internal/testenv"
)

// The raw document of an ADF prospect is written by CreateLead in the lead's own transaction:
// readable by admins as soon as the lead exists; a replay (a duplicate post, even with other
// content) or a repeat inquiry of the same customer writes none.
func TestCreateLeadKeepsItsDocumentInItsTransaction(t *testing.T) {
	t.Parallel()
	appURL, ownerURL := testenv.Database(t)
	db := testenv.OpenURL(t, appURL)
	w := testenv.NewWorld(t, db)
	admin := w.As(w.Admin)
	days := relance.DefaultRepeatDays
	if _, err := db.UpdateOrganization(ctx, admin, relance.OrganizationChange{RepeatDays: &days}); err != nil {
		t.Fatal(err)
	}
	owner, err := pgxpool.New(ctx, ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	documents := func() (n int) {
		t.Helper()
		if err := owner.QueryRow(ctx, `SELECT count(*) FROM adf_documents WHERE org_id = $1`, w.Org.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	in := relance.NewLead{
		ExternalID: "feed:1", SiteID: w.Lyon.ID, Source: "feed", Contact: relance.Contact{Name: "Ada", Phone: "+33612345671"},
		Document: "<adf><prospect>first</prospect></adf>",
	}
	lead, outcome, err := db.CreateLead(ctx, admin, in)
	if err != nil || outcome != relance.LeadCreated {
		t.Fatalf("create: %v, %v", outcome, err)
	}
	doc, err := db.AdfDocument(ctx, admin, lead.ID)
	if err != nil || doc.Content != in.Document || doc.LeadID != lead.ID {
		t.Fatalf("document right after intake: %+v, %v", doc, err)
	}

	in.Document = "<adf><prospect>resent</prospect></adf>"
	again, outcome, err := db.CreateLead(ctx, admin, in)
	if err != nil || outcome != relance.LeadReplayed || again.ID != lead.ID {
		t.Fatalf("duplicate: %v on %s, %v", outcome, again.ID, err)
	}
	repeat := relance.NewLead{
		ExternalID: "feed:2", SiteID: w.Lyon.ID, Source: "feed", Contact: relance.Contact{Name: "Ada", Phone: "+33612345671"},
		Document: "<adf><prospect>again</prospect></adf>",
	}
	if got, outcome, err := db.CreateLead(ctx, admin, repeat); err != nil || outcome != relance.LeadRepeated || got.ID != lead.ID {
		t.Fatalf("repeat: %v on %s, %v", outcome, got.ID, err)
	}
	if doc, err := db.AdfDocument(ctx, admin, lead.ID); err != nil || doc.Content != "<adf><prospect>first</prospect></adf>" {
		t.Errorf("document after a duplicate and a repeat: %+v, %v", doc, err)
	}
	if n := documents(); n != 1 {
		t.Errorf("%d documents, want 1", n)
	}

	// A lead refused (an unknown site) writes no document either.
	refused := relance.NewLead{ExternalID: "feed:3", SiteID: w.Org.ID, Source: "feed", Contact: relance.Contact{Name: "Bo", Phone: "+33612345672"}, Document: "<adf/>"}
	if _, _, err := db.CreateLead(ctx, admin, refused); err == nil {
		t.Fatal("a lead at an unknown site was created")
	}
	if n := documents(); n != 1 {
		t.Errorf("%d documents after a refusal, want 1", n)
	}
}
