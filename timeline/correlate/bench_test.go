package correlate

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/breachline/breachline/ingest/ingesttest"
	"github.com/breachline/breachline/normalize"
	"github.com/breachline/breachline/timeline"
)

// BenchmarkCorrelate correlates a generated case: BREACHLINE_BENCH_EVENTS events (default 10
// million) over ten days, an inventory of BREACHLINE_BENCH_CREDENTIALS credentials (default
// 100,000), each in its own secret that its consumer reads daily, so every credential is
// possibly exposed in the two-day window and all its uses are examined; an intruder reads 1,000
// of the secrets and uses a tenth of those credentials from new addresses. Every record has its
// own raw hash; BREACHLINE_BENCH_DUPLICATES (a percentage, default 0) of the window's records are
// stored a second time under another evidence file, as a log and its .gz copy would be. Only Run
// is timed; the case is built first (through the same store as an ingest, without parsing).
// BREACHLINE_BENCH_CASE names a file to keep the case in, reused as it is when it exists, so that
// the rules can be timed again without building the case again.
func BenchmarkCorrelate(b *testing.B) {
	events := envInt("BREACHLINE_BENCH_EVENTS", 10_000_000)
	creds := envInt("BREACHLINE_BENCH_CREDENTIALS", 100_000)
	dups := envInt("BREACHLINE_BENCH_DUPLICATES", 0)
	ctx := context.Background()
	path := os.Getenv("BREACHLINE_BENCH_CASE")
	_, statErr := os.Stat(path)
	reuse := path != "" && statErr == nil
	if path == "" {
		path = filepath.Join(b.TempDir(), "bench.db")
	}
	c, err := timeline.Create(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	if reuse {
		b.Logf("reusing the case %s", path)
	} else {
		setup := time.Now()
		copies, err := buildBenchCase(ctx, c, b.TempDir(), events, creds, dups)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("built a case of %d events (%d of them copies) and %d credentials in %s", events+copies, copies, creds, time.Since(setup).Round(time.Second))
	}
	opt := Options{WindowStart: benchBase.Add(8 * 24 * time.Hour), WindowEnd: benchBase.Add(10 * 24 * time.Hour), Gap: 4 * time.Hour}
	b.ResetTimer()
	var res *Result
	for i := 0; i < b.N; i++ {
		if res, err = Run(ctx, c, timeline.Actor{Examiner: "bench"}, opt); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/run")
	b.ReportMetric(float64(events)/(b.Elapsed().Seconds()/float64(b.N)), "events/s")
	if rss := ingesttest.PeakRSS(); rss > 0 {
		b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MB")
	}
	b.Logf("results: %d exposures, %d uses, %d findings, %d duplicates, credentials %v", res.Exposures, res.Uses, res.Findings, res.Duplicates, res.Credentials)
	for _, t := range res.Timings {
		b.Logf("%-28s %s", t.File, t.Duration.Round(time.Millisecond))
	}
}

var benchBase = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// buildBenchCase writes the inventory file and stores the events, then copies of dupPct percent
// of the window's under a second evidence file; it returns the number of copies.
func buildBenchCase(ctx context.Context, c *timeline.Case, dir string, events, creds, dupPct int) (int, error) {
	inv := filepath.Join(dir, "inventory.csv")
	f, err := os.Create(inv)
	if err != nil {
		return 0, err
	}
	fmt.Fprintln(f, "secret_ref,credential,owner,kind,consumers")
	for i := 0; i < creds; i++ {
		fmt.Fprintf(f, "aws-sm:bench/secret-%06d,aws-key-id:%s,owner-%d@example.com,aws-access-key,%s\n", i, benchKey(i), i%5000, benchConsumer(i))
	}
	if err := f.Close(); err != nil {
		return 0, err
	}
	actor := timeline.Actor{Examiner: "bench"}
	if _, err := ImportInventory(ctx, c, actor, []string{inv}); err != nil {
		return 0, err
	}
	bulk, err := c.BeginBulk(ctx, int64(events)*1024)
	if err != nil {
		return 0, err
	}
	sink := c.Sink(ctx, actor)
	ev := &normalize.Evidence{Path: "generated", SHA256: fmt.Sprintf("%064d", events), Format: "generated", Parser: "generated@1", Complete: true}
	w, err := sink.Begin(ev)
	if err != nil {
		return 0, err
	}
	var copies []normalize.Event
	r := rand.New(rand.NewPCG(1, 2))
	span := int64(10 * 24 * time.Hour)
	batch := make([]normalize.Event, 0, 4096)
	for i := 0; i < events; i++ {
		t := benchBase.Add(time.Duration(float64(i) / float64(events) * float64(span)))
		e := normalize.Event{Time: t, TZBasis: normalize.TZExplicit, Source: "aws-cloudtrail", Parser: "generated@1",
			Outcome: normalize.Success, EvidenceSHA256: ev.SHA256, EvidencePath: ev.Path, Offset: int64(i) * 1000,
			Length: 1000, RecordIndex: normalize.NoIndex, RawSHA256: fmt.Sprintf("%064x", i), PrincipalType: "iam-user"}
		k := r.IntN(creds)
		switch n := r.IntN(100); {
		case n < 2: // the consumer reads the secret
			e.Category, e.Action, e.SecretRef = normalize.SecretRead, "GetSecretValue", fmt.Sprintf("aws-sm:bench/secret-%06d", k)
			e.Principal, e.SrcIP, e.Credential = benchConsumer(k), "10.1.0.1", "aws-key-id:AKIABENCHCONSUMER001"
		case n < 70: // the credential is used from its usual address
			e.Category, e.Action = normalize.APICall, "GetObject"
			e.Principal, e.SrcIP, e.Credential = fmt.Sprintf("user-%d", k), benchIP(k), "aws-key-id:"+benchKey(k)
			e.UserAgent = "Boto3/1.34"
		default: // unrelated activity
			e.Category, e.Action = normalize.APICall, "DescribeInstances"
			e.Principal, e.SrcIP, e.Credential = fmt.Sprintf("other-%d", r.IntN(1000)), benchIP(r.IntN(50000)), "aws-key-id:AKIAOTHER"+strconv.Itoa(r.IntN(1000))
		}
		if t.After(benchBase.Add(8*24*time.Hour)) && i%(events/1000+1) == 0 { // the intruder
			k := r.IntN(1000)
			e.Category, e.Action, e.SecretRef = normalize.SecretRead, "GetSecretValue", fmt.Sprintf("aws-sm:bench/secret-%06d", k)
			e.Principal, e.SrcIP, e.Credential, e.UserAgent = "intruder", "203.0.113.66", "aws-key-id:AKIABENCHINTRUDER001", "python-requests"
			if k%10 == 0 {
				e.Category, e.Action, e.SecretRef = normalize.APICall, "ListBuckets", ""
				e.Principal, e.Credential = fmt.Sprintf("user-%d", k), "aws-key-id:"+benchKey(k)
			}
		}
		e.ID = normalize.EventID(ev.SHA256, e.Offset, normalize.NoIndex)
		batch = append(batch, e)
		if len(batch) == cap(batch) {
			if err := w.Write(batch, nil); err != nil {
				return 0, err
			}
			batch = batch[:0]
		}
		if !t.Before(benchBase.Add(8*24*time.Hour)) && i%100 < dupPct {
			copies = append(copies, e)
		}
	}
	if err := w.Write(batch, nil); err != nil {
		return 0, err
	}
	ev.Records, ev.Events = int64(events), int64(events)
	if err := w.Commit(ev); err != nil {
		return 0, err
	}
	if len(copies) > 0 {
		cp := &normalize.Evidence{Path: "generated.gz", SHA256: fmt.Sprintf("%064d", events+1), Format: "generated", Parser: "generated@1", Complete: true}
		w, err := sink.Begin(cp)
		if err != nil {
			return 0, err
		}
		for i := range copies {
			e := &copies[i]
			e.EvidenceSHA256, e.EvidencePath = cp.SHA256, cp.Path
			e.ID = normalize.EventID(cp.SHA256, e.Offset, normalize.NoIndex)
		}
		if err := w.Write(copies, nil); err != nil {
			return 0, err
		}
		cp.Records, cp.Events = int64(len(copies)), int64(len(copies))
		if err := w.Commit(cp); err != nil {
			return 0, err
		}
	}
	return len(copies), bulk.End(ctx)
}

func benchKey(i int) string      { return fmt.Sprintf("AKIABENCH%011d", i) }
func benchConsumer(i int) string { return fmt.Sprintf("runtime-%d", i%200) }
func benchIP(i int) string       { return fmt.Sprintf("10.%d.%d.%d", 2+i>>16&0x3f, i>>8&0xff, i&0xff) }
