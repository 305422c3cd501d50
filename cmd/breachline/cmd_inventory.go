package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/breachline/breachline/report"
	"github.com/breachline/breachline/timeline/correlate"
)

var inventoryCommand = &command{
	name:    "inventory",
	summary: "Import or list the secrets inventory: which credential sits in which secret",
	usage:   "import FILE... | list [--format table|jsonl|csv]",
	example: `breachline inventory import --case acme.db secrets-inventory.csv
breachline inventory list --case acme.db`,
	about: `The inventory is the platform's list of stored secrets and the credentials inside them, as
CSV with a header row or JSON lines with the same keys:

  secret_ref       as the ingesters write it: vault:…, aws-sm:…, aws-ssm:…, k8s:<ns>/<name>,
                   gcp-sm:…, azure-kv:…, or a platform ref such as hub-space:<org>/<space>/<NAME>
  credential       a handle (aws-key-id:AKIA…, sha256:<hex>, vault-hmac:<hex>, …) or raw:<token>
  owner            the account or person the credential belongs to
  kind             free text: hub-token, aws-access-key, github-pat…
  scopes, data_categories   free text, carried into reports
  consumers        principals expected to read the secret, separated by ;
  revoked_at       optional RFC 3339 time the credential was revoked

A raw: value is turned on import into every handle it can be matched by (sha256, GitHub's hashed
token) and a masked display such as hf_…c3d9; the value itself is never stored or printed.
Importing replaces the inventory; the custody log records each file's sha256.`,
	new: func() runner { return &inventoryCmd{} },
}

type inventoryCmd struct{ out formatFlag }

func (c *inventoryCmd) AddFlags(fs *pflag.FlagSet) { c.out.AddFlags(fs) }

func (c *inventoryCmd) check(args []string) error {
	if len(args) == 0 {
		return usagef("say import FILE... or list")
	}
	switch args[0] {
	case "import":
		if len(args) < 2 {
			return usagef("inventory import needs at least one file")
		}
	case "list":
		if len(args) > 1 {
			return usagef("inventory list takes no arguments")
		}
	default:
		return usagef("unknown inventory action %q (import, list)", args[0])
	}
	return c.out.check()
}

func (c *inventoryCmd) run(ctx context.Context, e *env, args []string) error {
	if args[0] == "import" {
		cs, err := e.openCaseForWriting(ctx)
		if err != nil {
			return err
		}
		defer cs.Close()
		n, err := correlate.ImportInventory(ctx, cs, e.actor(), args[1:])
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "imported %d inventory rows from %s\n", n, strings.Join(args[1:], ", "))
		return nil
	}
	cs, err := e.openCase(ctx)
	if err != nil {
		return err
	}
	defer cs.Close()
	out := report.NewRecords(e.stdout, c.out.get(),
		[]string{"SECRET", "CREDENTIAL", "OWNER", "KIND", "CONSUMERS", "REVOKED"},
		[]string{"secret_ref", "credential", "display", "owner", "kind", "scopes", "data_categories", "consumers", "revoked_at"})
	out.FreeText(2, 3, 4) // owner, kind, consumers; secret refs and credentials stay whole
	err = correlate.Inventory(ctx, cs.DB(), func(r *correlate.InventoryRow) error {
		consumers := strings.Join(r.Consumers, ";")
		return out.Write(
			[]string{r.SecretRef, r.Display, r.Owner, r.Kind, consumers, r.RevokedAt},
			[]string{r.SecretRef, r.Credential, r.Display, r.Owner, r.Kind, r.Scopes, r.DataCategories, consumers, r.RevokedAt},
			map[string]any{"secret_ref": r.SecretRef, "credential": r.Credential, "display": r.Display,
				"owner": r.Owner, "kind": r.Kind, "scopes": r.Scopes, "data_categories": r.DataCategories,
				"consumers": nonNilStrings(r.Consumers), "revoked_at": r.RevokedAt})
	})
	if err != nil {
		return err
	}
	return out.Close()
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
