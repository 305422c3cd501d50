package main

import (
	"context"
	"encoding/json"
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
	switch c.out.get() {
	case report.JSONL:
		enc := json.NewEncoder(e.stdout)
		for _, ing := range ings {
			if err := enc.Encode(map[string]string{"name": ing.Name(), "version": ing.Version(), "description": ing.Describe()}); err != nil {
				return err
			}
		}
		return nil
	case report.CSV:
		w := report.NewCSV(e.stdout, "name", "version", "description")
		for _, ing := range ings {
			w.Row(ing.Name(), ing.Version(), ing.Describe())
		}
		return w.Flush()
	}
	t := report.NewTable(e.stdout, "FORMAT", "VERSION", "DESCRIPTION")
	t.MaxCell = 100
	for _, ing := range ings {
		t.Row(ing.Name(), ing.Version(), ing.Describe())
	}
	if err := t.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "\nCredential handle schemes:")
	s := report.NewTable(e.stdout, "SCHEME", "VALUE")
	s.MaxCell = 100
	for _, sc := range normalize.Schemes {
		s.Row(sc.Name, sc.About)
	}
	return s.Flush()
}
