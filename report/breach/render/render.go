package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/breachline/breachline/report/breach"
)

// Formats are the report formats, in the order help lists them.
var Formats = []string{"md", "html", "pdf", "json"}

// Write renders the record in format: json is the record itself, the others its Document.
func Write(w io.Writer, format string, r *breach.Record) error {
	if format == "json" {
		b, err := r.JSON()
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}
	d := breach.Compose(r)
	charts, err := DrawCharts(r)
	if err != nil {
		return err
	}
	switch format {
	case "md":
		return Markdown(w, d, charts)
	case "html":
		return HTML(w, d, charts)
	case "pdf":
		return PDF(w, d, charts)
	}
	return fmt.Errorf("unknown report format %q (known: %s)", format, strings.Join(Formats, ", "))
}
