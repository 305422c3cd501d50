package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/breachline/breachline/report/bundle"
)

var verifyCommand = &command{
	name:    "verify",
	summary: "Check an evidence bundle: manifests, signature, custody chain, reproduction",
	usage:   "[--pubkey KEY.pub] [--no-reproduce] BAG|FILE.zip",
	example: `breachline verify --pubkey examiner.key.pub acme-bag
breachline verify --no-reproduce acme-bag.zip`,
	about: `Prints one verdict per check, with the first discrepancy named (file, line, expected and
found):
  1 manifests     every manifest and tag manifest line matches its file, nothing missing or
                  unlisted, Payload-Oxum
  2 signature     the Ed25519 signature over tagmanifest-sha256.txt, with --pubkey, or (with a
                  warning) the key included in the bag
    timestamp     when the bag holds an RFC 3161 response: its message imprint is the tag
                  manifest's sha256 (the authority's signature is for openssl ts -verify)
  3 custody       custody.jsonl is an unbroken hash chain ending with the bundling entry, whose
                  hashes are the bag's, and case.db's log is that chain up to its copy
  4 reproduction  data/originals ingested again into a temporary case with the recorded
                  settings and handle key, correlated again: events.jsonl and findings.jsonl
                  must come out byte for byte (--no-reproduce skips it)
A zip with an entry that escapes its folder (../, an absolute path, a link) is refused before
anything is extracted. The bag is never changed.

Exit codes: 0 every check passed; 1 a check failed, or the zip was refused; 2 usage error. A
reproduction skipped with --no-reproduce does not fail the bag: the verdict says it was skipped.
See docs/evidence.md.`,
	new: func() runner { return &verifyCmd{} },
}

type verifyCmd struct {
	pubkey      string
	noReproduce bool
}

func (c *verifyCmd) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.pubkey, "pubkey", "", "the signer's public key (KEY.pub from breachline keygen), obtained apart from the bag")
	fs.BoolVar(&c.noReproduce, "no-reproduce", false, "skip check 4, the reproduction (e.g. a bag made with --no-originals)")
}

func (c *verifyCmd) check(args []string) error {
	if len(args) != 1 {
		return usagef("name one bag: a folder or a .zip")
	}
	return nil
}

// errVerifyFailed marks a verify whose verdict was printed and is not ok (exit 1).
var errVerifyFailed = errors.New("the bag did not pass verification")

func (c *verifyCmd) run(ctx context.Context, e *env, args []string) error {
	var pub ed25519.PublicKey
	if c.pubkey != "" {
		var err error
		if pub, err = bundle.LoadPublicKey(c.pubkey); err != nil {
			return usagef("--pubkey: %v", err)
		}
	}
	rep, err := bundle.Verify(ctx, args[0], bundle.VerifyOptions{PubKey: pub, NoReproduce: c.noReproduce, ToolVersion: version()})
	if err != nil {
		var unsafe *bundle.UnsafeZipError
		if errors.As(err, &unsafe) {
			fmt.Fprintf(e.stdout, "bag %s\nrefused: %v\nverdict: FAIL (refused)\n", args[0], err)
			return errVerifyFailed
		}
		return err
	}
	rep.Print(e.stdout)
	if !rep.OK() {
		return errVerifyFailed
	}
	return nil
}
