package main

import (
	"path/filepath"

	"github.com/breachline/breachline/normalize"
)

// redactedRecord is an original record as breachline prints it: odd bytes kept as \xNN and every
// credential value replaced by its handle, exactly as the ingest core treats the fields it
// stores. The evidence file keeps the raw bytes; a report, a screen share or a terminal's
// scroll-back must not (show --raw is the one way to the exact bytes).
func (e *env) redactedRecord(rec []byte) string {
	s, _ := e.key.Redact(normalize.CleanString(string(rec)))
	return s
}

// evidenceFile is where an event's evidence file is read from: relative paths are as ingested,
// resolved from the current directory or from --evidence-root.
func evidenceFile(root, path string) string {
	if root != "" && !filepath.IsAbs(path) {
		return filepath.Join(root, path)
	}
	return path
}
