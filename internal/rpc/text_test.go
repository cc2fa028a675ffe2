package rpc

import (
	"errors"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/internal/relance"
)

func TestCheckText(t *testing.T) {
	nested, _ := structpb.NewStruct(map[string]any{"ok": "fine", "a": map[string]any{"list": []any{"x", "y\x00"}}})
	badKey, _ := structpb.NewStruct(map[string]any{"k\x00": "v"})
	for _, tc := range []struct {
		name  string
		msg   any
		field string // "" when accepted
	}{
		{"clean", &v1.CreateLeadRequest{Source: "web", Contact: &v1.Contact{Name: "Jean"}}, ""},
		{"top level", &v1.CreateLeadRequest{Source: "web\x00"}, "source"},
		{"nested", &v1.CreateLeadRequest{Contact: &v1.Contact{Name: "Je\x00an"}}, "contact.name"},
		{"repeated and map", nested, `fields["a"].struct_value.fields["list"].list_value.values[1].string_value`},
		{"map key", badKey, "fields"},
		{"not a message", "text\x00", ""},
	} {
		err := checkText(tc.msg)
		var got string
		if err != nil {
			var de *relance.Error
			if !errors.As(err, &de) || de.Code != relance.CodeInvalid || len(de.Violations) != 1 {
				t.Fatalf("%s: %v", tc.name, err)
			}
			got = de.Violations[0].Field
		}
		if got != tc.field {
			t.Errorf("%s: field %q, want %q", tc.name, got, tc.field)
		}
	}
}

// A map entry's path keeps its key, as protovalidate writes it.
func TestFieldPathMapKey(t *testing.T) {
	fp := fieldPath(`fields["a.b"].values[2].string_value`)
	got, _ := protojson.Marshal(fp)
	want := `{"elements":[{"fieldName":"fields","stringKey":"a.b"},{"fieldName":"values","index":"2"},{"fieldName":"string_value"}]}`
	if strings.ReplaceAll(string(got), " ", "") != want {
		t.Fatalf("path %s, want %s", got, want)
	}
}

// The cost of the NUL check on a typical request and on a large plan (50 steps with bodies).
func BenchmarkCheckText(b *testing.B) {
	lead := &v1.CreateLeadRequest{IdempotencyKey: "k-1", Source: "website", Notes: "Rappeler après 18 h",
		Contact: &v1.Contact{Name: "Jean Dupont", Phone: "+33612345678", Email: "jean@example.com"}}
	plan := &v1.CreatePlanRequest{Plan: &v1.PlanInput{Name: "Web", EnrolSources: []string{"web", "partner"}}}
	for range 50 {
		plan.Plan.Steps = append(plan.Plan.Steps, &v1.PlanStep{Kind: v1.ActivityKind_ACTIVITY_KIND_EMAIL,
			Subject: "Merci {{lead.name}}", Body: strings.Repeat("Bonjour {{lead.name}}, ", 100)})
	}
	for name, msg := range map[string]any{"lead": lead, "plan": plan} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := checkText(msg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
