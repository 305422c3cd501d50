package bundle

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/breachline/breachline/report/export"
	"github.com/breachline/breachline/timeline"
)

// Options say how to bag a case.
type Options struct {
	// Out is the bag's folder, or a file ending in .zip; it must not exist.
	Out string
	// Key signs the tag manifest.
	Key ed25519.PrivateKey
	// NoOriginals ships the evidence files' hashes only.
	NoOriginals bool
	// TSQ writes an RFC 3161 timestamp query over the tag manifest into the bag.
	TSQ          bool
	Organisation string
	Actor        timeline.Actor
	ToolVersion  string
	// Now is the clock for the bagging date; nil is time.Now.
	Now func() time.Time
	// Warn tells the examiner something that does not stop the bag (a mapping not found…).
	Warn func(msg string)
}

// Result says what was written.
type Result struct {
	Out            string
	Zip            bool
	PayloadFiles   int
	PayloadBytes   int64
	Events         int64
	EventsSHA256   string
	FindingsSHA256 string
	TagManifest    string // its sha256
	Fingerprint    string
	Custody        *timeline.CustodyEntry
	Query          bool
}

// ErrExists is returned when Out exists already.
var ErrExists = errors.New("exists already")

// IsZip reports whether out names a zip bag.
func IsZip(out string) bool { return strings.EqualFold(filepath.Ext(out), ".zip") }

// CheckOut refuses an output that exists or whose folder does not.
func CheckOut(out string) error {
	if _, err := os.Lstat(out); err == nil {
		return fmt.Errorf("%s %w: a bag is never overwritten (choose another --out)", out, ErrExists)
	}
	dir := filepath.Dir(out)
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return fmt.Errorf("%s: the folder %s does not exist", out, dir)
	}
	return nil
}

// Write bags the case c (open for writing: the bagging is recorded in its custody log). The
// order is what makes the bag consistent: the case is copied first (data/case.db, as of its
// last custody entry then, named in bag-info.txt), every payload file but the custody log is
// made from that copy, the bundling is recorded in the case's custody log with the hashes of
// that payload, and data/custody/custody.jsonl is the log through that entry.
func Write(ctx context.Context, c *timeline.Case, opt Options) (res *Result, err error) {
	if err := CheckOut(opt.Out); err != nil {
		return nil, err
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Warn == nil {
		opt.Warn = func(string) {}
	}
	zipped := IsZip(opt.Out)
	stage, err := os.MkdirTemp(filepath.Dir(opt.Out), "."+filepath.Base(opt.Out)+".partial-")
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil || zipped {
			os.RemoveAll(stage)
		}
	}()
	w := &writer{ctx: ctx, live: c, opt: opt, root: stage, sums: map[string]string{}, sizes: map[string]int64{}}
	res, err = w.write()
	if err != nil {
		return nil, err
	}
	if zipped {
		err = writeZip(stage, opt.Out, strings.TrimSuffix(filepath.Base(opt.Out), filepath.Ext(opt.Out)), w.bagged)
	} else {
		err = os.Rename(stage, opt.Out)
	}
	if err != nil {
		return nil, fmt.Errorf("the bag was recorded in the custody log but could not be put in place: %w", err)
	}
	res.Out, res.Zip = opt.Out, zipped
	return res, nil
}

type writer struct {
	ctx    context.Context
	live   *timeline.Case
	snap   *timeline.Case
	opt    Options
	root   string
	sums   map[string]string // payload path → sha256
	sizes  map[string]int64
	bagged time.Time
}

func (w *writer) abs(rel string) string { return filepath.Join(w.root, filepath.FromSlash(rel)) }

// add hashes a payload file written under rel.
func (w *writer) add(rel string) error {
	sum, n, err := hashFile(os.DirFS(w.root), rel)
	if err != nil {
		return err
	}
	w.sums[rel], w.sizes[rel] = sum, n
	return nil
}

func (w *writer) writeFile(rel string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(w.abs(rel)), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(w.abs(rel), b, 0o644); err != nil {
		return err
	}
	if strings.HasPrefix(rel, dataDir+"/") {
		return w.add(rel)
	}
	return nil
}

func (w *writer) writeJSON(rel string, v any) error {
	b, err := marshalIndent(v)
	if err != nil {
		return err
	}
	return w.writeFile(rel, b)
}

func (w *writer) write() (*Result, error) {
	ctx := w.ctx
	w.bagged = w.opt.Now().UTC()
	for _, d := range []string{"data/timeline", "data/findings", "data/custody", "data/method", originalsDir} {
		if err := os.MkdirAll(w.abs(d), 0o755); err != nil {
			return nil, err
		}
	}
	if err := snapshot(ctx, w.live, w.abs(CaseDB)); err != nil {
		return nil, err
	}
	snap, err := timeline.OpenReadOnly(ctx, w.abs(CaseDB))
	if err != nil {
		return nil, err
	}
	defer snap.Close()
	w.snap = snap
	meta, err := export.CaseMeta(ctx, snap, "bundle", "", w.opt.ToolVersion)
	if err != nil {
		return nil, err
	}
	entries, err := snap.Custody(ctx)
	if err != nil {
		return nil, err
	}
	if len(entries) == 0 {
		return nil, errors.New("the case has no custody log")
	}
	asOf := entries[len(entries)-1]
	cfg, err := methodConfig(ctx, snap, entries, meta.CaseID, meta.CaseName)
	if err != nil {
		return nil, err
	}
	cfg.Originals = !w.opt.NoOriginals
	if err := w.originals(cfg); err != nil {
		return nil, err
	}
	if err := w.mappings(cfg, entries); err != nil {
		return nil, err
	}

	res := &Result{}
	if res.Events, err = writeEventsFile(ctx, snap, w.abs(EventsJSONL)); err != nil {
		return nil, err
	}
	for name, rel := range map[string]string{"rejects": RejectsJSONL, "findings": FindingsJSONL, "credentials": CredentialsJSL} {
		if err := writeTable(ctx, snap, name, w.abs(rel)); err != nil {
			return nil, fmt.Errorf("%s: %w", rel, err)
		}
	}
	for _, rel := range []string{EventsJSONL, RejectsJSONL, FindingsJSONL, CredentialsJSL} {
		if err := w.add(rel); err != nil {
			return nil, err
		}
	}
	res.EventsSHA256, res.FindingsSHA256 = w.sums[EventsJSONL], w.sums[FindingsJSONL]
	gap := ""
	if cfg.Correlation != nil {
		gap = cfg.Correlation.Gap
	}
	cov, err := coverage(ctx, snap, gap)
	if err != nil {
		return nil, err
	}
	if err := w.writeJSON(CoverageJSON, cov); err != nil {
		return nil, err
	}
	if err := w.reports(); err != nil {
		return nil, err
	}
	if err := w.writeJSON(ToolJSON, CurrentTool(w.opt.ToolVersion)); err != nil {
		return nil, err
	}
	if err := w.writeJSON(ConfigJSON, cfg); err != nil {
		return nil, err
	}
	if err := w.writeFile(ReproduceMD, reproduceMD(cfg, res.EventsSHA256, res.FindingsSHA256, w.opt.ToolVersion)); err != nil {
		return nil, err
	}
	if err := w.add(CaseDB); err != nil {
		return nil, err
	}
	snap.Close()

	// The bundling's custody entry, with the hashes of the payload made so far.
	pub := w.opt.Key.Public().(ed25519.PublicKey)
	res.Fingerprint = Fingerprint(pub)
	payload := sha256.Sum256(formatManifest(w.sums))
	originals := "included"
	if w.opt.NoOriginals {
		originals = "hashes only"
	}
	entry, err := w.live.Record(ctx, w.opt.Actor, "bundle", map[string]string{
		"out": w.opt.Out, "as_of_seq": strconv.FormatInt(asOf.Seq, 10), "as_of_hash": asOf.Hash,
		"case_db_sha256": w.sums[CaseDB], "events_sha256": res.EventsSHA256, "findings_sha256": res.FindingsSHA256,
		"payload_sha256": hex.EncodeToString(payload[:]), "originals": originals, "signing_key": res.Fingerprint,
		"events": strconv.FormatInt(res.Events, 10),
	})
	if err != nil {
		return nil, fmt.Errorf("recording the bundle in the custody log: %w", err)
	}
	res.Custody = entry
	all, err := w.live.Custody(ctx)
	if err != nil {
		return nil, err
	}
	var log []byte
	for _, e := range all {
		if e.Seq > entry.Seq {
			break
		}
		b, err := json.Marshal(e)
		if err != nil {
			return nil, err
		}
		log = append(append(log, b...), '\n')
	}
	if err := w.writeFile(CustodyJSONL, log); err != nil {
		return nil, err
	}

	// Tag files, the manifests and the signature.
	var bytes int64
	for _, n := range w.sizes {
		bytes += n
	}
	res.PayloadFiles, res.PayloadBytes = len(w.sums), bytes
	info := BagInfo{}
	if w.opt.Organisation != "" {
		info = append(info, [2]string{"Source-Organization", w.opt.Organisation})
	}
	info = append(info,
		[2]string{"Contact-Name", w.opt.Actor.Examiner},
		[2]string{"External-Identifier", meta.CaseID},
		[2]string{"External-Description", "breachline evidence package of case " + strconv.Quote(meta.CaseName)},
		[2]string{"Bagging-Date", w.bagged.Format("2006-01-02")},
		[2]string{"Payload-Oxum", payloadOxum(bytes, len(w.sums))},
		[2]string{"Breachline-Case-ID", meta.CaseID},
		[2]string{"Breachline-Case-Name", meta.CaseName},
		[2]string{"Breachline-Examiner", w.opt.Actor.Examiner},
		[2]string{"Breachline-Bagging-Time", w.bagged.Format(time.RFC3339)},
		[2]string{"Breachline-Tool-Version", w.opt.ToolVersion},
		[2]string{"Breachline-Originals", originalsNote(w.opt.NoOriginals)},
		[2]string{"Breachline-Case-DB-As-Of", fmt.Sprintf("custody entry %d %s", asOf.Seq, asOf.Hash)},
		[2]string{"Breachline-Custody-Head", fmt.Sprintf("custody entry %d %s", entry.Seq, entry.Hash)},
		[2]string{"Breachline-Events", strconv.FormatInt(res.Events, 10)},
		[2]string{"Breachline-Events-SHA256", res.EventsSHA256},
		[2]string{"Breachline-Findings-SHA256", res.FindingsSHA256},
		[2]string{"Breachline-Signing-Key", res.Fingerprint},
	)
	pubPEM, err := MarshalPublicKey(pub)
	if err != nil {
		return nil, err
	}
	tags := map[string][]byte{
		BagitTxt:      []byte("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"),
		BagInfoTxt:    info.bytes(),
		ManifestTxt:   formatManifest(w.sums),
		PublicKeyFile: pubPEM,
	}
	tagSums := map[string]string{}
	for name, b := range tags {
		if err := w.writeFile(name, b); err != nil {
			return nil, err
		}
		s := sha256.Sum256(b)
		tagSums[name] = hex.EncodeToString(s[:])
	}
	tm := formatManifest(tagSums)
	if err := w.writeFile(TagManifestTxt, tm); err != nil {
		return nil, err
	}
	tmSum := sha256.Sum256(tm)
	res.TagManifest = hex.EncodeToString(tmSum[:])
	if err := w.writeFile(SignatureFile, ed25519.Sign(w.opt.Key, tm)); err != nil {
		return nil, err
	}
	if w.opt.TSQ {
		q, err := TimestampQuery(tmSum[:])
		if err != nil {
			return nil, err
		}
		if err := w.writeFile(QueryFile, q); err != nil {
			return nil, err
		}
		res.Query = true
	}
	return res, nil
}

func originalsNote(no bool) string {
	if no {
		return "not included (--no-originals): data/originals/SHA256SUMS lists their sha256 only; reproduction needs the files"
	}
	return "included, byte for byte, under data/originals (data/originals/SHA256SUMS lists them)"
}
