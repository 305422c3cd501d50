// Package timesketch writes the events of a case as a JSONL file that Timesketch imports as it
// is (breachline export --to timesketch): one event a line, with the fields Timesketch requires
// (message, datetime, timestamp, timestamp_desc), the event model's fields, and the case's
// findings as tags on the events they cite.
package timesketch

import (
	"bufio"
	"context"
	"fmt"

	"github.com/breachline/breachline/report/export"
)

// TimestampDesc is every line's timestamp_desc: the event time is when the source recorded the
// event, not when it was collected or ingested.
const TimestampDesc = "Event Recorded"

// Format is the timesketch output format.
type Format struct{}

// Name is the --to value.
func (Format) Name() string { return "timesketch" }

// Summary is the line --help shows.
// Tables implements export.TableFormat: a Timesketch timeline is made of events.
func (Format) Tables() []string { return []string{"events"} }

func (Format) Summary() string {
	return "Timesketch JSONL (.jsonl): events with message/datetime/timestamp, findings as tags"
}

// Write writes the events table to path as Timesketch JSONL.
func (Format) Write(ctx context.Context, path string, req *export.Request) (err error) {
	events := req.Table
	if events == nil || events.Name != "events" {
		name := "none"
		if events != nil {
			name = events.Name
		}
		return fmt.Errorf("timesketch: a Timesketch timeline is made of events; --table %s cannot be one (use --table events)", name)
	}
	tags, err := readTags(ctx, req)
	if err != nil {
		return fmt.Errorf("timesketch: findings: %w", err)
	}
	enc, err := newEncoder(events.Columns)
	if err != nil {
		return err
	}
	return export.WriteFile(path, func(w *bufio.Writer) error {
		var line []byte
		n := 0
		err := events.Rows(ctx, func(r export.Row) error {
			if n++; n%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			line = enc.appendLine(line[:0], r, tags)
			_, err := w.Write(line)
			return err
		})
		if err != nil {
			return fmt.Errorf("timesketch: %w", err)
		}
		return nil
	})
}
