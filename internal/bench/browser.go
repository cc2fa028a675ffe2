package bench

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/durationpb"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/gen/go/relance/v1/relancev1connect"
	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/rpc"
	"github.com/relancehq/relance/internal/web"
)

// DashboardInBrowser serves the built web app (web/dist) and the API over store, signs in as
// email, and measures the Dashboard call as the browser makes it (gRPC-web over HTTP) next to
// the time Chromium takes to show the dashboard's figures (web/bench/time-to-figures.mjs),
// runs visits of each kind (a fresh browser profile, then a reload). It prints where a visit's
// time went, as medians. It returns an error when the app is not built or Chromium fails.
func DashboardInBrowser(ctx context.Context, store *postgres.DB, email, password string, runs int, d time.Duration, log *slog.Logger, out io.Writer) error {
	files, err := web.Files("")
	if err != nil || files == nil {
		return fmt.Errorf("web app not built (make web): %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := rpc.NewServer("", web.Route(rpc.NewHandler(store, rpc.Options{Log: log}), web.NewHandler(files)))
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	url := "http://" + ln.Addr().String()
	token, _, _, err := store.Login(ctx, email, password, "127.0.0.1")
	if err != nil {
		return err
	}

	httpClient, done := h2c(1)
	defer done()
	client := relancev1connect.NewReportServiceClient(httpClient, url, connect.WithGRPCWeb())
	rpcTime := run(ctx, "Dashboard RPC, gRPC-web over HTTP, last 12 h", 1, d, func(ctx context.Context, _, _ int) error {
		req := connect.NewRequest(&v1.DashboardRequest{Period: durationpb.New(12 * time.Hour)})
		req.Header().Set("Authorization", "Bearer "+token)
		_, err := client.Dashboard(ctx, req)
		return err
	})

	cmd := exec.CommandContext(ctx, "node", "web/bench/time-to-figures.mjs", url, token, strconv.Itoa(runs))
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	type visit struct {
		Visit     string                `json:"visit"`
		Figures   float64               `json:"figures"`
		HTML      float64               `json:"html"`
		Resources map[string][2]float64 `json:"resources"`
	}
	visits := map[string][]visit{}
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		var v visit
		if err := json.Unmarshal(lines.Bytes(), &v); err == nil && v.Figures > 0 {
			visits[v.Visit] = append(visits[v.Visit], v)
		}
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("time-to-figures: %w", err)
	}
	// column returns the sorted values of one figure over the visits of a kind, where measured.
	column := func(kind string, of func(visit) (float64, bool)) []float64 {
		var out []float64
		for _, v := range visits[kind] {
			if f, ok := of(v); ok {
				out = append(out, f)
			}
		}
		slices.Sort(out)
		return out
	}

	ms := func(f float64) string {
		return (time.Duration(f * float64(time.Millisecond))).Round(time.Millisecond).String()
	}
	fmt.Fprintf(out, "%-52s %6s %9s %9s %9s\n", "dashboard of the whole organisation", "runs", "p50", "max", "target")
	fmt.Fprintf(out, "%-52s %6d %9s %9s %9s\n", rpcTime.Name, rpcTime.Ops, rpcTime.P50.Round(100*time.Microsecond), rpcTime.Max.Round(100*time.Microsecond), "")
	for _, kind := range []string{"first", "repeat"} {
		figures := column(kind, func(v visit) (float64, bool) { return v.Figures, true })
		if len(figures) == 0 {
			return fmt.Errorf("time-to-figures gave no %s visit", kind)
		}
		fmt.Fprintf(out, "%-52s %6d %9s %9s %9s\n", "Chromium: figures shown, "+kind+" visit", len(figures), ms(median(figures)), ms(figures[len(figures)-1]), "1.5s")
	}
	// Where the time goes: each resource of the first visits, in the order they began.
	names := map[string]float64{}
	for _, v := range visits["first"] {
		for name, r := range v.Resources {
			if _, ok := names[name]; !ok || r[0] < names[name] {
				names[name] = r[0]
			}
		}
	}
	order := make([]string, 0, len(names))
	for name := range names {
		order = append(order, name)
	}
	slices.SortFunc(order, func(a, b string) int { return cmp.Compare(names[a], names[b]) })
	fmt.Fprintf(out, "\nwhere a visit's time goes (medians, ms from navigation start: start → end)\n")
	fmt.Fprintf(out, "%-22s %18s %18s\n", "", "first visit", "repeat visit")
	phase := func(name string, start, end func(visit) (float64, bool)) {
		row := fmt.Sprintf("%-22s", name)
		for _, kind := range []string{"first", "repeat"} {
			s, e := column(kind, start), column(kind, end)
			cell := "—"
			if len(s) > 0 && len(e) > 0 {
				cell = fmt.Sprintf("%6.0f → %6.0f", median(s), median(e))
			}
			row += fmt.Sprintf(" %18s", cell)
		}
		fmt.Fprintln(out, row)
	}
	phase("index.html", func(visit) (float64, bool) { return 0, true }, func(v visit) (float64, bool) { return v.HTML, true })
	for _, name := range order {
		at := func(i int) func(visit) (float64, bool) {
			return func(v visit) (float64, bool) { r, ok := v.Resources[name]; return r[i], ok }
		}
		phase(name, at(0), at(1))
	}
	phase("figures shown", func(v visit) (float64, bool) { return v.Figures, true }, func(v visit) (float64, bool) { return v.Figures, true })
	return nil
}

func median(sorted []float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[len(sorted)/2]
}
