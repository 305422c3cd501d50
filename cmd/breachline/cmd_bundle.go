package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/breachline/breachline/report/bundle"
)

var bundleCommand = &command{
	name:    "bundle",
	summary: "Write the case as a signed, reproducible BagIt evidence package (folder or zip)",
	usage:   "--out DIR|FILE.zip --key KEY [--no-originals] [--organisation ORG] [--tsq]\n  breachline bundle stamp BAG RESPONSE.tsr",
	example: `breachline keygen --out examiner.key
breachline bundle --case acme.db --key examiner.key --organisation "DFIR Ltd" --out acme-bag
breachline bundle --case acme.db --key examiner.key --out acme-bag.zip --tsq
openssl ts -reply ...   # send the bag's tagmanifest-sha256.txt.tsq to a timestamp authority
breachline bundle stamp acme-bag.zip response.tsr`,
	about: `A BagIt 1.0 bag (RFC 8493): bagit.txt, bag-info.txt, manifest-sha256.txt (every payload
file), tagmanifest-sha256.txt, its detached Ed25519 signature tagmanifest-sha256.txt.sig and the
signer's public key signer-ed25519.pub. The payload under data/: originals/ (the evidence files
byte for byte; --no-originals ships their sha256 only), case.db (a consistent copy of the case,
VACUUM INTO), timeline/events.jsonl (sorted by time then id), rejects.jsonl, coverage.json,
findings/findings.jsonl, credentials.jsonl, reports.jsonl and the reports recorded so far,
custody/custody.jsonl (the custody log, ending with this bundling's entry), method/tool.json and
config.json (what rebuilds the case), and REPRODUCE.md. In the bag's root,
"sha256sum -c manifest-sha256.txt" checks the payload.

The case is copied first; everything else is made from the copy; then the bundling is recorded
in the case's custody log, with the hashes of the payload, and the log through that entry is
the bag's custody.jsonl. A zip has one top folder named after it and only relative, clean paths.
--tsq also writes an RFC 3161 timestamp query over the tag manifest (tagmanifest-sha256.txt.tsq)
to send to a timestamp authority; "bundle stamp BAG RESPONSE.tsr" adds the response after
checking that it stamps this bag. The output must not exist.

The bag holds the case's handle key (in case.db; reproduction needs it) and, unless
--no-originals, the logs as they were, with the raw credential values they recorded: give it
only to whom you would give those. See docs/evidence.md.`,
	new: func() runner { return &bundleCmd{} },
}

type bundleCmd struct {
	out, key, org string
	noOriginals   bool
	tsq           bool
	stamp         bool
}

func (c *bundleCmd) AddFlags(fs *pflag.FlagSet) {
	fs.StringVarP(&c.out, "out", "o", "", "the bag: a folder, or a file ending in .zip (must not exist)")
	fs.StringVar(&c.key, "key", "", "Ed25519 private key to sign with (breachline keygen)")
	fs.BoolVar(&c.noOriginals, "no-originals", false, "ship the evidence files' sha256 only, not the files")
	fs.StringVar(&c.org, "organisation", "", "the examiner's organisation, for bag-info.txt (Source-Organization)")
	fs.BoolVar(&c.tsq, "tsq", false, "also write an RFC 3161 timestamp query over the tag manifest")
}

func (c *bundleCmd) check(args []string) error {
	if len(args) > 0 && args[0] == "stamp" {
		if len(args) != 3 {
			return usagef("bundle stamp takes a bag and a timestamp response: bundle stamp BAG RESPONSE.tsr")
		}
		c.stamp = true
		return nil
	}
	if len(args) > 0 {
		return usagef("bundle takes no arguments (say --out DIR or --out FILE.zip)")
	}
	if c.out == "" {
		return usagef("say where to write the bag with --out DIR or --out FILE.zip")
	}
	if c.key == "" {
		return usagef("say which key signs the bag with --key FILE (make one with breachline keygen)")
	}
	if err := bundle.CheckOut(c.out); err != nil {
		return usageError{err}
	}
	if _, err := os.Stat(c.key); err != nil {
		return usagef("--key: %v", err)
	}
	return nil
}

func (c *bundleCmd) run(ctx context.Context, e *env, args []string) error {
	if c.stamp {
		ts, err := bundle.Stamp(args[1], args[2])
		if err != nil {
			return err
		}
		e.note("added the time-stamp of %s to %s", ts.GenTime.UTC().Format("2006-01-02T15:04:05Z"), args[1])
		out := args[1]
		if !bundle.IsZip(out) {
			out = filepath.Join(out, bundle.ResponseFile)
		}
		fmt.Fprintln(e.stdout, out)
		return nil
	}
	key, err := bundle.LoadPrivateKey(c.key)
	if err != nil {
		return usageError{err}
	}
	cs, err := e.openCaseForWriting(ctx)
	if err != nil {
		return err
	}
	defer cs.Close()
	res, err := bundle.Write(ctx, cs, bundle.Options{
		Out: c.out, Key: key, NoOriginals: c.noOriginals, TSQ: c.tsq, Organisation: c.org,
		Actor: e.actor(), ToolVersion: version(), Warn: func(msg string) { fmt.Fprintln(e.stderr, msg) },
	})
	if err != nil {
		if errors.Is(err, bundle.ErrExists) {
			return usageError{err}
		}
		return err
	}
	e.note("bagged %d payload files (%d bytes, %d events) into %s", res.PayloadFiles, res.PayloadBytes, res.Events, res.Out)
	e.note("events.jsonl sha256 %s, findings.jsonl sha256 %s", res.EventsSHA256, res.FindingsSHA256)
	e.note("tag manifest sha256 %s signed by %s; custody entry %d", res.TagManifest, res.Fingerprint, res.Custody.Seq)
	if c.noOriginals {
		e.note("the originals are not in the bag (--no-originals): bag-info.txt and REPRODUCE.md say so")
	}
	if res.Query {
		e.note("timestamp query: %s in the bag, for a timestamp authority", bundle.QueryFile)
	}
	fmt.Fprintln(e.stdout, res.Out)
	return nil
}
