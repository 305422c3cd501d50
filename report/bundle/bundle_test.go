package bundle

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/report/export/exporttest"
	"github.com/breachline/breachline/timeline"
)

func testKey(t testing.TB) ed25519.PrivateKey {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	return priv
}

// writeBag bags the sample incident into a new folder (or zip) under dir.
func writeBag(t testing.TB, c *timeline.Case, out string, key ed25519.PrivateKey, noOriginals bool) *Result {
	t.Helper()
	res, err := Write(context.Background(), c, Options{Out: out, Key: key, NoOriginals: noOriginals,
		Actor: timeline.Actor{Examiner: "test", Tool: "breachline test"}, ToolVersion: "test",
		Now: func() time.Time { return time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC) }})
	require.NoError(t, err)
	return res
}

func verify(t testing.TB, bag string, opt VerifyOptions) *Report {
	t.Helper()
	opt.ToolVersion = "test"
	rep, err := Verify(context.Background(), bag, opt)
	require.NoError(t, err)
	return rep
}

func statuses(r *Report) map[string]string {
	m := map[string]string{}
	for _, c := range r.Checks {
		m[c.Name] = c.Status
	}
	return m
}

func TestRoundTrip(t *testing.T) {
	c := exporttest.IncidentCase(t)
	key := testKey(t)
	bag := filepath.Join(t.TempDir(), "bag")
	res := writeBag(t, c, bag, key, false)
	require.Positive(t, res.Events)

	rep := verify(t, bag, VerifyOptions{PubKey: key.Public().(ed25519.PublicKey)})
	var out bytes.Buffer
	rep.Print(&out)
	require.True(t, rep.OK(), out.String())
	require.Equal(t, map[string]string{"manifests": "ok", "signature": "ok", "custody": "ok", "reproduction": "ok"}, statuses(rep))

	// Standard tools agree: sha256sum in the bag's root, openssl on the signature.
	if _, err := exec.LookPath("sha256sum"); err == nil {
		cmd := exec.Command("sha256sum", "--quiet", "-c", ManifestTxt)
		cmd.Dir = bag
		b, err := cmd.CombinedOutput()
		require.NoError(t, err, string(b))
		cmd = exec.Command("sha256sum", "--quiet", "-c", TagManifestTxt)
		cmd.Dir = bag
		b, err = cmd.CombinedOutput()
		require.NoError(t, err, string(b))
	}
	if _, err := exec.LookPath("openssl"); err == nil {
		cmd := exec.Command("openssl", "pkeyutl", "-verify", "-pubin", "-inkey", PublicKeyFile, "-rawin",
			"-in", TagManifestTxt, "-sigfile", SignatureFile)
		cmd.Dir = bag
		b, err := cmd.CombinedOutput()
		require.NoError(t, err, string(b))
		require.Contains(t, string(b), "Signature Verified Successfully")
	}

	// The case recorded the bundling, and the bag's custody log ends with it.
	entries, err := c.Custody(context.Background())
	require.NoError(t, err)
	last := entries[len(entries)-1]
	require.Equal(t, "bundle", last.Action)
	require.Equal(t, res.EventsSHA256, last.Objects["events_sha256"])
	log, err := os.ReadFile(filepath.Join(bag, CustodyJSONL))
	require.NoError(t, err)
	require.Contains(t, string(log), last.Hash)
}

func TestZipRoundTrip(t *testing.T) {
	c := exporttest.IncidentCase(t)
	key := testKey(t)
	out := filepath.Join(t.TempDir(), "acme-bag.zip")
	writeBag(t, c, out, key, false)
	zr, err := zip.OpenReader(out)
	require.NoError(t, err)
	for _, f := range zr.File {
		require.NoError(t, cleanRel(f.Name), f.Name)
		require.True(t, strings.HasPrefix(f.Name, "acme-bag/"), f.Name)
	}
	zr.Close()
	rep := verify(t, out, VerifyOptions{})
	var b bytes.Buffer
	rep.Print(&b)
	require.True(t, rep.OK(), b.String())
	require.Contains(t, b.String(), "only the key included in the bag")
}

// TestPipelineDeterministic builds the sample incident twice, with the same handle key, and
// requires the same bytes of events.jsonl and findings.jsonl.
func TestPipelineDeterministic(t *testing.T) {
	var events, findings [2][]byte
	for i := range 2 {
		c := exporttest.IncidentCase(t)
		var b bytes.Buffer
		_, err := WriteEvents(context.Background(), c, &b)
		require.NoError(t, err)
		events[i] = b.Bytes()
		p := filepath.Join(t.TempDir(), "findings.jsonl")
		require.NoError(t, writeTable(context.Background(), c, "findings", p))
		findings[i], err = os.ReadFile(p)
		require.NoError(t, err)
	}
	require.NotEmpty(t, events[0])
	require.NotEmpty(t, findings[0])
	require.Equal(t, sha256.Sum256(events[0]), sha256.Sum256(events[1]))
	require.Equal(t, sha256.Sum256(findings[0]), sha256.Sum256(findings[1]))
}

func TestEventsCanonicalOrder(t *testing.T) {
	c := exporttest.IncidentCase(t)
	var b bytes.Buffer
	_, err := WriteEvents(context.Background(), c, &b)
	require.NoError(t, err)
	var prevTime, prevID string
	for _, line := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		id := line[len(`{"id":"`) : len(`{"id":"`)+32]
		tm := line[strings.Index(line, `"time":"`)+8:][:30]
		require.True(t, tm > prevTime || (tm == prevTime && id > prevID), "%s %s after %s %s", tm, id, prevTime, prevID)
		prevTime, prevID = tm, id
	}
}

func TestNoOriginals(t *testing.T) {
	c := exporttest.IncidentCase(t)
	bag := filepath.Join(t.TempDir(), "bag")
	writeBag(t, c, bag, testKey(t), true)
	info, err := os.ReadFile(filepath.Join(bag, BagInfoTxt))
	require.NoError(t, err)
	require.Contains(t, string(info), "Breachline-Originals: not included (--no-originals)")
	md, err := os.ReadFile(filepath.Join(bag, ReproduceMD))
	require.NoError(t, err)
	require.Contains(t, string(md), "The originals are not in this bag")

	rep := verify(t, bag, VerifyOptions{})
	require.False(t, rep.OK())
	require.Equal(t, StatusFail, statuses(rep)["reproduction"])
	rep = verify(t, bag, VerifyOptions{NoReproduce: true})
	require.True(t, rep.OK())
	require.Equal(t, StatusSkipped, statuses(rep)["reproduction"])
}

func copyTree(t testing.TB, src, dst string) {
	t.Helper()
	require.NoError(t, filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	}))
}

func flipByte(t testing.TB, path string, at int) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	if at < 0 {
		at += len(b)
	}
	b[at] ^= 0x01
	require.NoError(t, os.WriteFile(path, b, 0o644))
}

func firstOriginal(t testing.TB, bag string) string {
	t.Helper()
	var found string
	filepath.WalkDir(filepath.Join(bag, originalsDir), func(p string, d fs.DirEntry, err error) error {
		if found == "" && err == nil && !d.IsDir() && d.Name() != "SHA256SUMS" {
			found = p
		}
		return nil
	})
	require.NotEmpty(t, found)
	return found
}

// TestTamper alters a bag in each way an adversary or an accident would, and requires the
// check that must catch it to fail, naming the file.
func TestTamper(t *testing.T) {
	c := exporttest.IncidentCase(t)
	key := testKey(t)
	base := filepath.Join(t.TempDir(), "base")
	writeBag(t, c, base, key, false)
	pub := key.Public().(ed25519.PublicKey)
	other := testKey(t)

	for _, tc := range []struct {
		name   string
		tamper func(t *testing.T, bag string) string // returns the file the verdict must name
		check  string
		noRepr bool
	}{
		{"original byte", func(t *testing.T, bag string) string {
			p := firstOriginal(t, bag)
			flipByte(t, p, -2)
			rel, _ := filepath.Rel(bag, p)
			return filepath.ToSlash(rel)
		}, "manifests", false},
		{"events byte", func(t *testing.T, bag string) string {
			flipByte(t, filepath.Join(bag, EventsJSONL), 10)
			return EventsJSONL
		}, "manifests", true},
		{"case copy byte", func(t *testing.T, bag string) string {
			flipByte(t, filepath.Join(bag, CaseDB), 5000)
			return CaseDB
		}, "manifests", true},
		{"manifest line", func(t *testing.T, bag string) string {
			flipByte(t, filepath.Join(bag, ManifestTxt), 3)
			return ManifestTxt
		}, "manifests", true},
		{"file removed", func(t *testing.T, bag string) string {
			require.NoError(t, os.Remove(filepath.Join(bag, CoverageJSON)))
			return CoverageJSON + ": missing"
		}, "manifests", true},
		{"file added", func(t *testing.T, bag string) string {
			require.NoError(t, os.WriteFile(filepath.Join(bag, "data/timeline/extra.jsonl"), []byte("{}\n"), 0o644))
			return "data/timeline/extra.jsonl: not in manifest-sha256.txt"
		}, "manifests", true},
		{"custody line", func(t *testing.T, bag string) string {
			p := filepath.Join(bag, CustodyJSONL)
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			b = bytes.Replace(b, []byte(`"examiner":"test"`), []byte(`"examiner":"tset"`), 1)
			require.NoError(t, os.WriteFile(p, b, 0o644))
			return CustodyJSONL + " line 1"
		}, "custody", true},
		{"signature from another key", func(t *testing.T, bag string) string {
			tm, err := os.ReadFile(filepath.Join(bag, TagManifestTxt))
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(bag, SignatureFile), ed25519.Sign(other, tm), 0o644))
			return SignatureFile
		}, "signature", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bag := filepath.Join(t.TempDir(), "bag")
			copyTree(t, base, bag)
			want := tc.tamper(t, bag)
			rep := verify(t, bag, VerifyOptions{PubKey: pub, NoReproduce: tc.noRepr})
			var out bytes.Buffer
			rep.Print(&out)
			require.False(t, rep.OK(), out.String())
			var found bool
			for _, ch := range rep.Checks {
				if ch.Name == tc.check {
					found = true
					require.Equal(t, StatusFail, ch.Status, out.String())
					require.Contains(t, ch.Detail, want, out.String())
				}
			}
			require.True(t, found)
		})
	}

	// The signer's key swapped for another's, signature and included key both: only --pubkey
	// with the examiner's key catches it.
	t.Run("key swapped", func(t *testing.T) {
		bag := filepath.Join(t.TempDir(), "bag")
		copyTree(t, base, bag)
		tm, err := os.ReadFile(filepath.Join(bag, TagManifestTxt))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(bag, SignatureFile), ed25519.Sign(other, tm), 0o644))
		// the included key is in the tag manifest: swapping it is a manifest failure too
		pemOther, err := MarshalPublicKey(other.Public().(ed25519.PublicKey))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(bag, PublicKeyFile), pemOther, 0o644))
		rep := verify(t, bag, VerifyOptions{PubKey: pub, NoReproduce: true})
		require.Equal(t, StatusFail, statuses(rep)["signature"])
		require.Equal(t, StatusFail, statuses(rep)["manifests"])
	})

	// An original altered and both manifests rewritten to match: the manifests pass, the
	// signature fails, and reproduction names the file whose rows changed.
	t.Run("original altered, manifests rewritten", func(t *testing.T) {
		bag := filepath.Join(t.TempDir(), "bag")
		copyTree(t, base, bag)
		var vault string
		filepath.WalkDir(filepath.Join(bag, originalsDir), func(q string, d fs.DirEntry, err error) error {
			if err == nil && d.Name() == "audit.log" {
				vault = q
			}
			return nil
		})
		require.NotEmpty(t, vault)
		b, err := os.ReadFile(vault)
		require.NoError(t, err)
		b = bytes.Replace(b, []byte("203.0.113."), []byte("203.0.114."), 1)
		require.NoError(t, os.WriteFile(vault, b, 0o644))
		rewrite := func(manifest string) {
			m, err := os.ReadFile(filepath.Join(bag, manifest))
			require.NoError(t, err)
			entries, err := parseManifest(manifest, m)
			require.NoError(t, err)
			sums := map[string]string{}
			for _, e := range entries {
				sums[e.Path], _, err = hashFile(os.DirFS(bag), e.Path)
				require.NoError(t, err)
			}
			require.NoError(t, os.WriteFile(filepath.Join(bag, manifest), formatManifest(sums), 0o644))
		}
		rewrite(ManifestTxt)
		rewrite(TagManifestTxt)
		rep := verify(t, bag, VerifyOptions{PubKey: pub})
		var out bytes.Buffer
		rep.Print(&out)
		st := statuses(rep)
		require.Equal(t, StatusFail, st["signature"], out.String())
		require.Equal(t, StatusFail, st["reproduction"], out.String())
		for _, ch := range rep.Checks {
			if ch.Name == "reproduction" {
				require.Contains(t, ch.Detail, "vault/audit.log: its rows (rows_sha256) expected", out.String())
			}
		}
	})
}

func TestZipSlipRefused(t *testing.T) {
	for _, tc := range []struct {
		name  string
		entry func(zw *zip.Writer) error
	}{
		{"dotdot", func(zw *zip.Writer) error { _, err := zw.Create("bag/../../evil.txt"); return err }},
		{"absolute", func(zw *zip.Writer) error { _, err := zw.Create("/tmp/evil.txt"); return err }},
		{"backslash", func(zw *zip.Writer) error { _, err := zw.Create(`bag\..\evil.txt`); return err }},
		{"symlink", func(zw *zip.Writer) error {
			h := &zip.FileHeader{Name: "bag/data/link"}
			h.SetMode(fs.ModeSymlink | 0o777)
			w, err := zw.CreateHeader(h)
			if err == nil {
				_, err = w.Write([]byte("/etc/passwd"))
			}
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "evil.zip")
			f, err := os.Create(p)
			require.NoError(t, err)
			zw := zip.NewWriter(f)
			w, err := zw.Create("bag/bagit.txt")
			require.NoError(t, err)
			w.Write([]byte("BagIt-Version: 1.0\n"))
			require.NoError(t, tc.entry(zw))
			require.NoError(t, zw.Close())
			require.NoError(t, f.Close())
			_, err = Verify(context.Background(), p, VerifyOptions{TempDir: dir})
			var unsafe *UnsafeZipError
			require.ErrorAs(t, err, &unsafe)
			entries, _ := os.ReadDir(dir)
			require.Len(t, entries, 1, "nothing extracted")
		})
	}
}

// TestReportsIncluded bags a case with two recorded reports: the one whose file is unchanged is
// shipped under data/findings/reports, the other is listed with the reason it is not.
func TestReportsIncluded(t *testing.T) {
	ctx := context.Background()
	c := exporttest.IncidentCase(t)
	dir := t.TempDir()
	body := []byte("# Notification to the authority\n")
	sum := sha256.Sum256(body)
	kept := filepath.Join(dir, "gdpr-art33.md")
	require.NoError(t, os.WriteFile(kept, body, 0o644))
	actor := timeline.Actor{Examiner: "test"}
	_, err := c.RecordReport(ctx, actor, timeline.ReportRecord{ID: "aaaaaaaaaaaaaaaaaaaa", Regime: "gdpr", Stage: "initial",
		Format: "md", Out: kept, SHA256: hex.EncodeToString(sum[:]), Facts: []byte(`{}`)}, "")
	require.NoError(t, err)
	_, err = c.RecordReport(ctx, actor, timeline.ReportRecord{ID: "bbbbbbbbbbbbbbbbbbbb", Regime: "gdpr", Stage: "final",
		Format: "md", Out: filepath.Join(dir, "gone.md"), SHA256: hex.EncodeToString(sum[:]), Facts: []byte(`{}`)}, "")
	require.NoError(t, err)

	bag := filepath.Join(dir, "bag")
	writeBag(t, c, bag, testKey(t), false)
	got, err := os.ReadFile(filepath.Join(bag, reportsDir, "aaaaaaaaaaaa-gdpr-art33.md"))
	require.NoError(t, err)
	require.Equal(t, body, got)
	list, err := os.ReadFile(filepath.Join(bag, ReportsJSONL))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(list)), "\n")
	require.Len(t, lines, 2)
	require.Contains(t, lines[0], `"bag_file":"data/findings/reports/aaaaaaaaaaaa-gdpr-art33.md"`)
	require.Contains(t, lines[1], `"note":"not included: `)
	require.True(t, verify(t, bag, VerifyOptions{}).OK())
}
