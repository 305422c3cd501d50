package main

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/breachline/breachline/ingest/all"
	"github.com/breachline/breachline/normalize"
	"github.com/breachline/breachline/report"
)

var formatsCommand = &command{
	name:    "formats",
	summary: "List the input formats breachline reads and the credential handle schemes",
	usage:   "[--format table|jsonl|csv]",
	example: "breachline formats\nbreachline formats --format jsonl | jq -r .name",
	about: `Formats are listed in detection order: when a file's format is not forced with
ingest --format, the first format that recognises its first 64 KiB reads it.`,
	new: func() runner { return &formatsCmd{} },
}

type formatsCmd struct{ out formatFlag }

func (c *formatsCmd) AddFlags(fs *pflag.FlagSet) { c.out.AddFlags(fs) }

func (c *formatsCmd) check(args []string) error {
	if len(args) > 0 {
		return usagef("formats takes no arguments")
	}
	return c.out.check()
}

func (c *formatsCmd) run(_ context.Context, e *env, _ []string) error {
	ings := all.Ingesters()
	out := report.NewRecords(e.stdout, c.out.get(), []string{"FORMAT", "VERSION", "DESCRIPTION"}, []string{"name", "version", "description"})
	if t := out.Table(); t != nil {
		t.MaxCell = 100
	}
	out.FreeText(2)
	for _, ing := range ings {
		row := []string{ing.Name(), ing.Version(), ing.Describe()}
		if err := out.Write(row, row, map[string]string{"name": row[0], "version": row[1], "description": row[2]}); err != nil {
			return err
		}
	}
	if err := out.Close(); err != nil || c.out.get() != report.Table {
		return err
	}
	fmt.Fprintln(e.stdout, "\nCredential handle schemes:")
	s := report.NewTable(e.stdout, "SCHEME", "VALUE")
	s.MaxCell = 100
	s.FreeText(1)
	for _, sc := range normalize.Schemes {
		s.Row(sc.Name, sc.About)
	}
	return s.Flush()
}
