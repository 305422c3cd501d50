package bundle

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"

	"github.com/breachline/breachline/timeline"
)

// reportFile is a line of reports.jsonl: a report the case recorded and where the bag has it.
type reportFile struct {
	timeline.ReportRecord
	BagFile string `json:"bag_file"`
	Note    string `json:"note,omitempty"`
}

// reports ships the reports generated from the case so far: each recorded report whose file is
// still where it was written with the recorded sha256, and reports.jsonl listing them all.
func (w *writer) reports() error {
	recs, err := w.snap.Reports(w.ctx)
	if err != nil {
		return err
	}
	var out []byte
	for _, r := range recs {
		rf := reportFile{ReportRecord: r}
		b, err := os.ReadFile(r.Out)
		sum := sha256.Sum256(b)
		switch {
		case err != nil:
			rf.Note = "not included: " + err.Error()
		case hex.EncodeToString(sum[:]) != r.SHA256:
			rf.Note = "not included: the file at " + r.Out + " is no longer the one recorded (sha256 " + hex.EncodeToString(sum[:]) + ")"
		default:
			id := r.ID
			if len(id) > 12 {
				id = id[:12]
			}
			rf.BagFile = path.Join(reportsDir, id+"-"+safeName(filepath.Base(r.Out)))
			if err := w.writeFile(rf.BagFile, b); err != nil {
				return err
			}
		}
		if rf.Note != "" {
			w.opt.Warn(fmt.Sprintf("warning: report %s: %s", r.ID, rf.Note))
		}
		line, err := json.Marshal(rf)
		if err != nil {
			return err
		}
		out = append(append(out, line...), '\n')
	}
	return w.writeFile(ReportsJSONL, out)
}
