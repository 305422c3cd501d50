package bundle

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"io"
	"strings"
)

// VerifyOptions say how to verify a bag.
type VerifyOptions struct {
	// PubKey is the signer's key as obtained apart from the bag; nil uses the included one
	// (with a warning: that proves the bag unchanged since it was signed, not by whom).
	PubKey ed25519.PublicKey
	// NoReproduce skips check 4.
	NoReproduce bool
	// ToolVersion is this breachline's version, compared with the one that made the bag.
	ToolVersion string
	// TempDir holds the reproduction's temporary case ("" is the system's).
	TempDir string
}

// Check is one check's verdict. Detail is a summary when it passed and the first discrepancy
// when it failed (file, line, expected and found); More counts the further discrepancies.
type Check struct {
	// Number is the check's number in the list (1 to 4; the time-stamp is 2b).
	Number   string
	Name     string
	Status   string // ok, FAIL or skipped
	Detail   string
	More     int
	Warnings []string
}

// The check statuses.
const (
	StatusOK      = "ok"
	StatusFail    = "FAIL"
	StatusSkipped = "skipped"
)

func (c *Check) fail(problems []string) {
	c.Status, c.Detail, c.More = StatusFail, problems[0], len(problems)-1
}

// Report is the verdict on a bag.
type Report struct {
	Bag    string
	Checks []*Check
}

// OK reports whether every check passed, but for those skipped on request (--no-reproduce).
func (r *Report) OK() bool {
	for _, c := range r.Checks {
		if c.Status == StatusFail {
			return false
		}
	}
	return true
}

// Print writes the verdict: one line per check, its warnings below it, then the verdict.
func (r *Report) Print(w io.Writer) {
	fmt.Fprintf(w, "bag %s\n", r.Bag)
	var failed, skipped []string
	for _, c := range r.Checks {
		d := c.Detail
		if c.More > 0 {
			d += fmt.Sprintf(" (and %d more)", c.More)
		}
		fmt.Fprintf(w, "%-2s %-13s %-7s %s\n", c.Number, c.Name, c.Status, d)
		for _, wn := range c.Warnings {
			fmt.Fprintf(w, "  warning: %s\n", wn)
		}
		switch c.Status {
		case StatusFail:
			failed = append(failed, c.Name)
		case StatusSkipped:
			skipped = append(skipped, c.Name)
		}
	}
	if len(failed) == 0 {
		if len(skipped) > 0 {
			fmt.Fprintf(w, "verdict: ok, %d checks passed, %s skipped as asked\n", len(r.Checks)-len(skipped), strings.Join(skipped, ", "))
			return
		}
		fmt.Fprintf(w, "verdict: ok, all %d checks passed\n", len(r.Checks))
		return
	}
	fmt.Fprintf(w, "verdict: FAIL (%s failed)\n", strings.Join(failed, ", "))
}

// Verify checks the bag at name (a folder or a .zip): its manifests, its signature (and
// time-stamp, when it has one), its custody chain and, unless opt.NoReproduce, the reproduction
// of its timeline and findings from its originals. A zip with an entry that would land outside
// its folder, or a link, is refused before anything is read from it (*UnsafeZipError).
func Verify(ctx context.Context, name string, opt VerifyOptions) (*Report, error) {
	b, err := openBag(name)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	r := &Report{Bag: name}
	r.Checks = append(r.Checks, checkManifests(b), checkSignature(b, opt.PubKey))
	if b.files[ResponseFile] {
		r.Checks = append(r.Checks, checkTimestamp(b))
	}
	r.Checks = append(r.Checks, checkCustody(ctx, b, opt.TempDir), reproduce(ctx, b, opt))
	return r, nil
}
