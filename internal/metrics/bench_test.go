package metrics_test

import (
	"context"
	"net/http/httptest"
	"strconv"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/gen/go/relance/v1/relancev1connect"
	"github.com/relancehq/relance/internal/metrics"
	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/rpc"
	"github.com/relancehq/relance/internal/testenv"
	"github.com/relancehq/relance/internal/tracing"
)

// BenchmarkCreateLead measures CreateLead over HTTP (Connect, protobuf) against one database,
// without instrumentation, with metrics (interceptor and store observer), and with metrics and
// tracing (spans made, none exported), in the same run:
//
//	bash scripts/test.sh ./internal/metrics/ -run '^$' -bench CreateLead -count 3
func BenchmarkCreateLead(b *testing.B) {
	appURL, _ := testenv.Database(b)
	world := testenv.NewWorld(b, testenv.OpenURL(b, appURL))
	traced := tracing.New(sdktrace.NewTracerProvider(), nil)
	tracer, err := traced.Interceptor()
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name         string
		store        []postgres.Option
		interceptors func(m *metrics.Metrics) []connect.Interceptor
	}{
		{name: "plain", interceptors: func(*metrics.Metrics) []connect.Interceptor { return nil }},
		{name: "metrics", interceptors: func(m *metrics.Metrics) []connect.Interceptor {
			return []connect.Interceptor{m.Interceptor()}
		}},
		{name: "metrics+tracing", store: []postgres.Option{postgres.WithQueryTracer(traced.QueryTracer())},
			interceptors: func(m *metrics.Metrics) []connect.Interceptor {
				return []connect.Interceptor{tracer, m.Interceptor()}
			}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			m := metrics.New()
			opts := bc.store
			if bc.name != "plain" {
				opts = append(opts, postgres.WithObserver(m))
			}
			store := testenv.OpenURL(b, appURL, opts...)
			srv := httptest.NewServer(rpc.NewHandler(store, rpc.Options{Log: testenv.Logger(b), Interceptors: bc.interceptors(m)}))
			defer srv.Close()
			ctx := context.Background()
			auth := relancev1connect.NewAuthServiceClient(srv.Client(), srv.URL)
			login, err := auth.Login(ctx, connect.NewRequest(&v1.LoginRequest{Email: world.Admin.Email, Password: testenv.Password}))
			if err != nil {
				b.Fatal(err)
			}
			leads := relancev1connect.NewLeadServiceClient(srv.Client(), srv.URL,
				connect.WithInterceptors(bearer(login.Msg.Token)))
			prefix := uuid.NewString() + "-"
			b.ResetTimer()
			for i := range b.N {
				_, err := leads.CreateLead(ctx, connect.NewRequest(&v1.CreateLeadRequest{
					IdempotencyKey: prefix + strconv.Itoa(i), SiteId: world.Lyon.ID.String(), Source: "web",
					Contact: &v1.Contact{Name: "Jean Dupont", Phone: "+33612345678"},
				}))
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkInterceptor is the metrics interceptor's own cost around a unary call that does
// nothing; BenchmarkNoInterceptor is that call alone.
func BenchmarkInterceptor(b *testing.B) {
	call := metrics.New().Interceptor().WrapUnary(nothing)
	req := connect.NewRequest(&v1.GetLeadRequest{})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_, _ = call(ctx, req)
	}
}

func BenchmarkNoInterceptor(b *testing.B) {
	req := connect.NewRequest(&v1.GetLeadRequest{})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_, _ = nothing(ctx, req)
	}
}

func nothing(context.Context, connect.AnyRequest) (connect.AnyResponse, error) { return nil, nil }
