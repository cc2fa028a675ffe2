package postgres_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relancehq/relance/internal/testenv"
)

// An alert written first by a transaction that commits last still reaches a reader that has
// been reading all along: nothing is handed out past it while its transaction runs.
func TestAlertsAfterSurvivesCommitOrder(t *testing.T) {
	t.Parallel()
	url, _ := testenv.Database(t)
	db := testenv.OpenURL(t, url)
	w := testenv.NewWorld(t, db)
	alice := w.As(w.Alice)
	cursor, err := db.AlertStreamStart(ctx, alice, uuid.Nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []uuid.UUID
	read := func() {
		t.Helper()
		alerts, _, err := db.AlertsAfter(ctx, alice, cursor, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range alerts {
			got = append(got, a.ID)
			cursor = a.Position
		}
	}

	a := testenv.BeginAlerts(t, url, w.Org.ID)
	first := a.Raise(w.Org.ID, w.Alice.ID, "written first, committed last")
	b := testenv.BeginAlerts(t, url, w.Org.ID)
	second := b.Raise(w.Org.ID, w.Alice.ID, "written second, committed first")
	if second.String() <= first.String() {
		t.Fatal("ids are not in writing order")
	}
	b.Commit()
	read()
	if len(got) != 0 {
		t.Fatalf("handed out %v while an older transaction runs", got)
	}
	a.Commit()
	testenv.Eventually(t, 10*time.Second, "both alerts", func() bool {
		read()
		return len(got) >= 2
	})
	if len(got) != 2 || got[0] != first || got[1] != second {
		t.Fatalf("read %v, want %v then %v", got, first, second)
	}

	// A reader that resumes after the second alert (the newest by id) gets nothing again, and
	// one that resumes after the first gets the second. (Other tests share the server: one of
	// their transactions may hold the horizon back for a moment.)
	for after, want := range map[uuid.UUID]int{second: 0, first: 1} {
		testenv.Eventually(t, 10*time.Second, "the replay", func() bool {
			from, err := db.AlertStreamStart(ctx, alice, after)
			if err != nil {
				t.Fatal(err)
			}
			again, _, err := db.AlertsAfter(ctx, alice, from, 100)
			return err == nil && len(again) == want
		})
	}
}
