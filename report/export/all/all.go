// Package all is the registry of export formats: breachline export --to takes the names listed
// here. Adding a format is a package under report/ implementing export.Format and one line below.
package all

import (
	"fmt"
	"strings"

	"github.com/breachline/breachline/report/arrowout"
	"github.com/breachline/breachline/report/csvout"
	"github.com/breachline/breachline/report/export"
	"github.com/breachline/breachline/report/jsonlout"
	"github.com/breachline/breachline/report/parquet"
	"github.com/breachline/breachline/report/timesketch"
	"github.com/breachline/breachline/report/xlsx"
)

// Formats are the export formats, in the order --help lists them.
var Formats = []export.Format{
	arrowout.Format{},
	parquet.Format{},
	xlsx.Format{},
	csvout.Format{},
	jsonlout.Format{},
	timesketch.Format{},
}

// Lookup returns the format named name.
func Lookup(name string) (export.Format, error) {
	for _, f := range Formats {
		if f.Name() == name {
			return f, nil
		}
	}
	return nil, fmt.Errorf("unknown export format %q (known: %s)", name, strings.Join(Names(), ", "))
}

// Names lists the formats' names.
func Names() []string {
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = f.Name()
	}
	return names
}
