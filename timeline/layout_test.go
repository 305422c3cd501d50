package timeline

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/all"
	"github.com/breachline/breachline/ingest/ingesttest"
	"github.com/breachline/breachline/normalize"
)

// The views give exactly the event model's columns, in contract order.
func TestViewColumnsAreTheEventModel(t *testing.T) {
	c := newCase(t)
	for view, want := range map[string][]string{
		"events_v":             normalize.Fields,
		"superseded_events_v":  normalize.Fields,
		"rejects_v":            {"evidence_sha256", "evidence_path", "offset", "length", "line", "reason", "snippet"},
		"superseded_rejects_v": {"evidence_sha256", "evidence_path", "offset", "length", "line", "reason", "snippet"},
	} {
		var got []string
		require.NoError(t, eachRow(context.Background(), c.db, "SELECT name FROM pragma_table_info('"+view+"')", func(s scanner) error {
			var n string
			err := s.Scan(&n)
			got = append(got, n)
			return err
		}))
		require.Equal(t, want, got, view)
	}
}

// fixtureDirs are the ingesters' golden test inputs: every format's own odd cases.
func fixtureDirs(t *testing.T) []string {
	dirs, err := filepath.Glob("../ingest/*/testdata")
	require.NoError(t, err)
	require.NotEmpty(t, dirs)
	return dirs
}

// ingestFixtures ingests every fixture into a case and into memory, as the core hands them over.
func ingestFixtures(t *testing.T) (*Case, *ingesttest.Memory) {
	ctx := context.Background()
	c, err := CreateWithKey(ctx, filepath.Join(t.TempDir(), "case.db"), ingesttest.Key)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	cfg := ingest.Config{Ingesters: all.Ingesters(), Options: ingest.Options{AssumeTZ: time.UTC}}
	mem := &ingesttest.Memory{}
	_, err = ingest.Run(ctx, cfg, fixtureDirs(t), mem)
	require.NoError(t, err)
	_, err = ingest.Run(ctx, cfg, fixtureDirs(t), c.Sink(ctx, Actor{Examiner: "t"}))
	require.NoError(t, err)
	require.NotEmpty(t, mem.Events)
	return c, mem
}

func jsonLines(events []normalize.Event) []string {
	out := make([]string, len(events))
	for i := range events {
		out[i] = string(events[i].AppendJSON(nil))
	}
	return out
}

// Every event of every fixture comes back from the compact table byte for byte as ingest stored
// it, through the Go reader and through the events_v view; and the rows verify.
func TestCompactLayoutKeepsEveryEvent(t *testing.T) {
	ctx := context.Background()
	c, mem := ingestFixtures(t)
	want := jsonLines(mem.Events)

	var got []normalize.Event
	require.NoError(t, scanEvents(ctx, c.db, selectEvent+" ORDER BY e.rowid", nil, func(e *normalize.Event) error {
		got = append(got, *e)
		return nil
	}))
	require.Equal(t, want, jsonLines(got))

	// A view has no storage order: compare as sets.
	view := jsonLines(viewEvents(t, c.db, "SELECT * FROM events_v"))
	sorted := append([]string(nil), want...)
	slices.Sort(sorted)
	slices.Sort(view)
	require.Equal(t, sorted, view)

	var rejects []string
	require.NoError(t, scanRejects(ctx, c.db, selectReject+" ORDER BY r.rowid", nil, func(r *normalize.Reject) error {
		rejects = append(rejects, string(appendRejectJSON(nil, r)))
		return nil
	}))
	var wantRejects []string
	for i := range mem.Rejects {
		wantRejects = append(wantRejects, string(appendRejectJSON(nil, &mem.Rejects[i])))
	}
	require.Equal(t, wantRejects, rejects)

	checks, err := c.VerifyRows(ctx)
	require.NoError(t, err)
	for _, rc := range checks {
		require.Empty(t, rc.Problem, rc.Path)
	}
}

// viewEvents reads events_v rows into events, column by column as the view gives them.
func viewEvents(t *testing.T, db *sql.DB, q string) []normalize.Event {
	rows, err := db.Query(q)
	require.NoError(t, err)
	defer rows.Close()
	var out []normalize.Event
	for rows.Next() {
		var e normalize.Event
		var tm string
		var timeRaw, action, principal, ptype, ip, ua, cred, res, rtype, ref, reqID, attrs sql.NullString
		var line, index sql.NullInt64
		var cat, outcome string
		require.NoError(t, rows.Scan(&e.ID, &tm, &timeRaw, &e.TZBasis, &e.Source, &e.Parser, &cat, &action, &outcome, &principal,
			&ptype, &ip, &ua, &cred, &res, &rtype, &ref, &reqID, &e.EvidenceSHA256, &e.EvidencePath, &e.Offset,
			&e.Length, &line, &index, &e.RawSHA256, &attrs))
		e.Time, err = time.Parse(normalize.TimeLayout, tm)
		require.NoError(t, err)
		e.Category, e.Outcome = normalize.Category(cat), normalize.Outcome(outcome)
		e.TimeRaw, e.Action, e.Principal, e.PrincipalType = timeRaw.String, action.String, principal.String, ptype.String
		e.SrcIP, e.UserAgent, e.Credential, e.Resource = ip.String, ua.String, cred.String, res.String
		e.ResourceType, e.SecretRef, e.RequestID = rtype.String, ref.String, reqID.String
		e.Line, e.RecordIndex = line.Int64, normalize.NoIndex
		if index.Valid {
			e.RecordIndex = index.Int64
		}
		if attrs.Valid {
			e.AttrsJSON = []byte(attrs.String)
		}
		out = append(out, e)
	}
	require.NoError(t, rows.Err())
	return out
}

// An independent reader, the sqlite3 shell of the operating system (an older SQLite than the
// driver's), sees through events_v the same values the Go reader does.
func TestSQLiteShellReadsTheView(t *testing.T) {
	shell, err := exec.LookPath("sqlite3")
	if err != nil {
		if ingesttest.InCI() {
			t.Fatal("sqlite3 shell not installed (.ci/run installs it)")
		}
		t.Skip("sqlite3 shell not installed")
	}
	c, mem := ingestFixtures(t)
	out, err := exec.Command(shell, "-readonly", "-json", c.Path(), "SELECT * FROM events_v ORDER BY id").Output()
	require.NoError(t, err, "%s", out)
	var rows []map[string]any
	require.NoError(t, json.Unmarshal(out, &rows))
	require.Len(t, rows, len(mem.Events))
	events := append([]normalize.Event(nil), mem.Events...)
	slices.SortFunc(events, func(a, b normalize.Event) int { return strings.Compare(a.ID, b.ID) })
	for i := range events {
		var want map[string]any
		require.NoError(t, json.Unmarshal(events[i].AppendJSON(nil), &want))
		got := map[string]any{}
		for k, v := range rows[i] {
			if v == nil {
				continue
			}
			if w, ok := want[k].(string); ok && strings.ContainsRune(w, 0) {
				// the shell prints text as a C string, up to its first NUL
				require.True(t, strings.HasPrefix(w, v.(string)))
				delete(want, k)
				continue
			}
			if k == "attrs" {
				// the shell prints attrs as the text the view built: the stored JSON byte for byte
				require.Equal(t, string(events[i].AttrsJSON), v.(string))
				continue
			}
			got[k] = v
		}
		delete(want, "attrs")
		require.Equal(t, want, got, "event %d", i)
	}
}

// Go and SQL render every time_raw code alike, over random times and every layout.
func TestTimeRawCodesRenderAlikeInSQL(t *testing.T) {
	c := newCase(t)
	r := rand.New(rand.NewPCG(1, 2))
	_, err := c.db.Exec("CREATE TEMP TABLE tr(time_ns INTEGER, time_raw)")
	require.NoError(t, err)
	var want []string
	for i := 0; i < 3000; i++ {
		ns := r.Int64N(4_000_000_000) * 1_000_000_000
		switch i % 3 {
		case 1:
			ns += r.Int64N(1_000_000_000)
		case 2:
			ns += r.Int64N(1000) * 1_000_000
		}
		kind := int64(1 + i%6)
		digits := r.Int64N(10)
		off := r.Int64N(2879) - 1439
		if kind == rawRFC3339Z || kind == rawEpochSeconds || kind == rawEpochMillis {
			off = 0
		}
		if kind == rawEpochMillis {
			digits = 0
		}
		code := kind*100000 + digits*10000 + off + 5000
		tm := time.Unix(0, ns).UTC()
		raw := renderTimeRaw(tm, code)
		if got, _ := encodeTimeRaw(nil, tm, raw); got != 0 {
			require.Equal(t, raw, renderTimeRaw(tm, got), "code %d for %q", got, raw)
		}
		want = append(want, raw)
		_, err := c.db.Exec("INSERT INTO tr VALUES(?, ?)", ns, code)
		require.NoError(t, err)
	}
	var got []string
	require.NoError(t, eachRow(context.Background(), c.db, "SELECT "+timeRawSQL("e")+" FROM tr e ORDER BY rowid", func(s scanner) error {
		var v string
		err := s.Scan(&v)
		got = append(got, v)
		return err
	}))
	require.Equal(t, want, got)
}

// The time_raw forms the ingesters write are stored as codes, and what is not a rendering of the
// time stays text.
func TestEncodeTimeRaw(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		require.NoError(t, err)
		return v.UTC()
	}
	for _, tc := range []struct {
		time, raw string
		coded     bool
	}{
		{"2026-03-01T00:00:01Z", "2026-03-01T00:00:01Z", true},
		{"2026-03-01T00:00:01.123456Z", "2026-03-01T00:00:01.123456Z", true},
		{"2026-03-01T00:00:01.1234567Z", "2026-03-01T00:00:01.1234567Z", true},
		{"2026-03-01T00:00:01.5Z", "2026-03-01T01:00:01.5+01:00", true},
		{"2015-05-17T10:05:03Z", "17/May/2015:10:05:03 +0000", true},
		{"2015-05-17T08:05:03Z", "17/May/2015:10:05:03 +0200", true},
		{"2023-11-14T22:13:20.123Z", "1700000000.123", true},
		{"2023-11-14T22:13:20.123Z", "1700000000123", true},
		{"2026-03-01T00:00:01Z", "2026-03-01 01:00:01", true},
		{"2026-03-01T00:00:01Z", "2026-03-01T00:00:01+00:00", true},
		{"2026-03-01T00:00:01Z", "Mar  1 00:00:01", false},
		{"2026-03-01T00:00:01Z", "2026-03-01T00:00:02Z", false},
		{"2026-03-01T00:00:01.5Z", "2026-03-01T00:00:01Z", true}, // a log that writes seconds only
		{"2026-03-01T00:00:01.5Z", "2026-03-01T00:00:01.4Z", false},
		{"2023-11-14T22:13:20Z", "/Date(1700000000000)/", false},
		{"2023-11-14T22:13:20Z", "1700000000000.0", false},
	} {
		code, _ := encodeTimeRaw(nil, at(tc.time), tc.raw)
		require.Equal(t, tc.coded, code != 0, "%s %q", tc.time, tc.raw)
		if code != 0 {
			require.Equal(t, tc.raw, renderTimeRaw(at(tc.time), code))
		}
	}
}

// Attrs split into shape and values only when the view can rebuild them exactly; repeated strings
// become ids from their second use.
func TestAttrsCodec(t *testing.T) {
	ids := map[string]int64{}
	seen := map[string]struct{}{}
	coder := newEncoder(fakeIDs{ids, seen}).codeAttr
	for _, tc := range []struct {
		in    string
		split bool
	}{
		{`{"a":1,"b":"x","c":true,"d":null}`, true},
		{`{"bytes":203023,"referrer":"http://example.com/a","status":200}`, true},
		{`{"bytes":203023,"referrer":"http://example.com/a","status":200}`, true},
		{`{"q":"say \"hi\" \\ there"}`, true},
		{`{"q":"line\nbreak"}`, false},
		{`{"f":1.5}`, false},
		{`{"n":{"x":1}}`, false},
		{`{"a":[1,2]}`, false},
		{`{"big":123456789012345678901}`, false},
		{`{"z":-0}`, false},
		{`{"u":"\u0001"}`, false},
		{`{}`, false},
	} {
		shape, values, ok, err := encodeAttrs(nil, nil, []byte(tc.in), coder)
		require.NoError(t, err)
		require.Equal(t, tc.split, ok, tc.in)
		if !ok {
			continue
		}
		var coded bytes.Buffer
		coded.WriteByte('[')
		n := 0
		for s, id := range ids {
			if strings.Contains(string(values), "["+strconv.FormatInt(id, 10)+"]") {
				if n > 0 {
					coded.WriteByte(',')
				}
				coded.Write(normalize.AppendJSONString(nil, s))
				n++
			}
		}
		coded.WriteByte(']')
		back, ok := decodeAttrs(nil, shape, values, coded.Bytes())
		require.True(t, ok, tc.in)
		require.Equal(t, tc.in, string(back))
	}
	require.Contains(t, ids, "http://example.com/a", "the referrer met twice is coded")
}

type fakeIDs struct {
	ids  map[string]int64
	seen map[string]struct{}
}

func (f fakeIDs) id(s string) (int64, error) {
	if id, ok := f.ids[s]; ok {
		return id, nil
	}
	f.ids[s] = int64(len(f.ids) + 100)
	return f.ids[s], nil
}

func (f fakeIDs) seenSet() map[string]struct{} { return f.seen }

func (f fakeIDs) idBytes(b []byte) (int64, error) { return f.id(string(b)) }

// The rows bound a batch per call into C and the rows bound through the driver are the same.
func TestBulkAndDriverInsertsStoreTheSame(t *testing.T) {
	ctx := context.Background()
	dump := func(c *Case) []string {
		var out []string
		require.NoError(t, eachRow(ctx, c.db, "SELECT quote(eid), time_ns, quote(time_raw), tz_basis_sid, category_sid, "+
			"quote(action_sid), quote(principal_sid), quote(src_ip_sid), quote(user_agent_sid), quote(credential_sid), "+
			"quote(resource), quote(secret_ref_sid), quote(request_id), offset, length, quote(line), quote(record_index), "+
			"quote(raw_hash), quote(attrs_shape_sid), quote(attrs) FROM events ORDER BY rowid", func(s scanner) error {
			var v [20]any
			p := make([]any, len(v))
			for i := range v {
				p[i] = &v[i]
			}
			err := s.Scan(p...)
			out = append(out, fmt.Sprint(v))
			return err
		}))
		return out
	}
	fast, _ := ingestFixtures(t)
	driverInserts = true
	defer func() { driverInserts = false }()
	slow, _ := ingestFixtures(t)
	require.Equal(t, dump(fast), dump(slow))
}

// --contains finds an attrs value however it is stored: written out the first time, as an id of
// the strings dictionary when it repeats.
func TestContainsFindsCodedAttrs(t *testing.T) {
	ctx := context.Background()
	c := newCase(t)
	var log strings.Builder
	for i := range 5 {
		fmt.Fprintf(&log, `203.0.113.%d - - [02/Mar/2026:10:00:0%d +0000] "GET /x HTTP/1.1" 200 5 "https://referrer.example/Page" "curl/8"`+"\n", i, i)
	}
	_, err := ingest.Run(ctx, ingest.Config{Ingesters: all.Ingesters()}, []string{writeFile(t, "access.log", log.String())}, c.Sink(ctx, Actor{Examiner: "x"}))
	require.NoError(t, err)
	var coded int
	require.NoError(t, c.db.QueryRow("SELECT count(*) FROM events WHERE instr(substr(attrs, 2), '[') > 0").Scan(&coded))
	require.Equal(t, 4, coded, "the referrer is written out once, then as its id")
	n, err := c.CountEvents(ctx, Filter{Contains: "REFERRER.example/page"})
	require.NoError(t, err)
	require.Equal(t, int64(5), n)
}
