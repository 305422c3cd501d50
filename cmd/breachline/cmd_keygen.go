package main

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/breachline/breachline/report/bundle"
)

var keygenCommand = &command{
	name:    "keygen",
	summary: "Make an Ed25519 key pair to sign evidence bundles",
	usage:   "--out FILE",
	example: `breachline keygen --out examiner.key     # examiner.key (private, mode 0600) and examiner.key.pub
breachline bundle --case acme.db --key examiner.key --out acme-bag`,
	about: `Writes the private key to FILE (PEM PKCS#8, mode 0600) and the public key to FILE.pub (PEM
PKIX, the form openssl reads), and prints the public key's fingerprint (sha256 of its 32 bytes)
on stdout. Give the .pub file, or the fingerprint, to whoever will verify your bundles through
another channel than the bundle itself. An existing file is never overwritten. See
docs/evidence.md.`,
	new: func() runner { return &keygenCmd{} },
}

type keygenCmd struct{ out string }

func (c *keygenCmd) AddFlags(fs *pflag.FlagSet) {
	fs.StringVarP(&c.out, "out", "o", "", "private key file to write (the public key goes to FILE.pub)")
}

func (c *keygenCmd) check(args []string) error {
	if len(args) > 0 {
		return usagef("keygen takes no arguments (say --out FILE)")
	}
	if c.out == "" {
		return usagef("say where to write the private key with --out FILE")
	}
	return nil
}

func (c *keygenCmd) run(_ context.Context, e *env, _ []string) error {
	fp, err := bundle.GenerateKey(c.out)
	if err != nil {
		return err
	}
	e.note("wrote the private key to %s (keep it secret) and the public key to %s.pub", c.out, c.out)
	fmt.Fprintln(e.stdout, fp)
	return nil
}
