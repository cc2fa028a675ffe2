package postgres_test

import (
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/testenv"
)

// Not parallel: it counts allocations.
func TestRegisteredUUIDsGoBothWaysAsBinaryUUIDs(t *testing.T) {
	appURL, _ := testenv.Database(t)
	cfg, err := pgx.ParseConfig(appURL)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if err := postgres.RegisterUUID(ctx, conn); err != nil {
		t.Fatal(err)
	}
	one, two := uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7())
	var (
		back, none uuid.UUID
		text       string
		list       []uuid.UUID
		ptr, null  *uuid.UUID
	)
	// A value, a pointer, an array, and NULL each way; the text form proves the bytes are the id's.
	err = conn.QueryRow(ctx, "SELECT $1::uuid, $1::uuid::text, $2::uuid[], $3::uuid, NULL::uuid, $4::uuid",
		one, []uuid.UUID{one, two}, &two, (*uuid.UUID)(nil)).Scan(&back, &text, &list, &ptr, &null, &null)
	if err != nil {
		t.Fatal(err)
	}
	if back != one || text != one.String() || !slices.Equal(list, []uuid.UUID{one, two}) || ptr == nil || *ptr != two || null != nil {
		t.Fatalf("got %v %q %v %v %v, want %v %q [%v %v] %v <nil>", back, text, list, ptr, null, one, one, one, two, two)
	}
	// The fast way: writing and reading a uuid.UUID allocate less than through text.
	allocs := func(m *pgtype.Map) (write, read float64) {
		buf := make([]byte, 0, 16)
		var got uuid.UUID
		write = testing.AllocsPerRun(100, func() { buf, _ = m.Encode(pgtype.UUIDOID, pgtype.BinaryFormatCode, one, buf[:0]) })
		read = testing.AllocsPerRun(100, func() { _ = m.Scan(pgtype.UUIDOID, pgtype.BinaryFormatCode, buf, &got) })
		if got != one {
			t.Fatalf("read back %v, want %v", got, one)
		}
		return write, read
	}
	write, read := allocs(conn.TypeMap())
	textWrite, textRead := allocs(pgtype.NewMap())
	t.Logf("allocations to write and read a uuid.UUID: %v and %v (through text: %v and %v)", write, read, textWrite, textRead)
	if write >= textWrite || read >= textRead {
		t.Fatalf("a uuid.UUID costs %v allocations to write and %v to read, through text %v and %v", write, read, textWrite, textRead)
	}
	none = one
	if err := conn.QueryRow(ctx, "SELECT NULL::uuid").Scan(&none); err != nil || none != uuid.Nil {
		t.Fatalf("NULL scanned into a uuid.UUID gives %v (%v), want uuid.Nil", none, err)
	}
}
