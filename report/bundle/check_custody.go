package bundle

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/breachline/breachline/timeline"
)

// checkCustody is check 3: custody.jsonl is an unbroken hash chain, it ends with the bundling
// entry and that entry's hashes are the bag's files, and the custody log of data/case.db is the
// chain up to the entry the bag says the copy is as of.
func checkCustody(ctx context.Context, b *bag, tmp string) *Check {
	c := &Check{Number: "3", Name: "custody", Status: StatusFail}
	data, err := b.read(CustodyJSONL)
	if err != nil {
		c.Detail = CustodyJSONL + ": missing"
		return c
	}
	var entries []timeline.CustodyEntry
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for n := 1; sc.Scan(); n++ {
		var e timeline.CustodyEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			c.Detail = fmt.Sprintf("%s line %d: not a custody entry: %v", CustodyJSONL, n, err)
			return c
		}
		entries = append(entries, e)
	}
	if len(entries) == 0 {
		c.Detail = CustodyJSONL + ": empty"
		return c
	}
	if err := timeline.VerifyChain(entries); err != nil {
		var ce *timeline.ChainError
		line := 0
		if errors.As(err, &ce) {
			for i, e := range entries {
				if e.Seq == ce.Seq {
					line = i + 1
					break
				}
			}
		}
		c.Detail = fmt.Sprintf("%s line %d: %v", CustodyJSONL, line, err)
		return c
	}
	var problems []string
	bad := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
	last := entries[len(entries)-1]
	if last.Action != "bundle" {
		bad("%s line %d: expected the bundling entry last, found action %q", CustodyJSONL, len(entries), last.Action)
	} else {
		for obj, file := range map[string]string{"case_db_sha256": CaseDB, "events_sha256": EventsJSONL, "findings_sha256": FindingsJSONL} {
			sum, _, err := hashFile(b.fsys, file)
			if err == nil && sum != last.Objects[obj] {
				bad("%s line %d: the bundling entry's %s expected %s, found %s in %s", CustodyJSONL, len(entries), obj, last.Objects[obj], sum, file)
			}
		}
	}
	if m, err := b.read(ManifestTxt); err == nil && last.Action == "bundle" {
		// The payload the bundling recorded is the manifest's, less the custody log it precedes.
		listed, _ := parseManifest(ManifestTxt, m)
		sums := map[string]string{}
		for _, e := range listed {
			if e.Path != CustodyJSONL {
				sums[e.Path] = e.SHA256
			}
		}
		if got := sha256Hex(formatManifest(sums)); got != last.Objects["payload_sha256"] {
			bad("%s line %d: the bundling entry's payload_sha256 expected %s, found %s (the payload listed in %s)",
				CustodyJSONL, len(entries), last.Objects["payload_sha256"], got, ManifestTxt)
		}
	}
	if info, err := b.read(BagInfoTxt); err == nil {
		bi, _ := parseBagInfo(info)
		want := fmt.Sprintf("custody entry %d %s", last.Seq, last.Hash)
		if got := bi.Get("Breachline-Custody-Head"); got != want {
			bad("%s: Breachline-Custody-Head expected %q (the last custody entry), found %q", BagInfoTxt, want, got)
		}
	}
	// The case copy's own log must be the chain up to the entry it is as of.
	dir, err := os.MkdirTemp(tmp, "breachline-verify-")
	if err != nil {
		bad("%v", err)
	} else {
		defer os.RemoveAll(dir)
		copyPath := filepath.Join(dir, "case.db")
		if err := b.copyTo(CaseDB, copyPath); err != nil {
			bad("%s: %v", CaseDB, err)
		} else if cs, err := timeline.OpenReadOnly(ctx, copyPath); err != nil {
			bad("%s: cannot be opened: %v", CaseDB, err)
		} else {
			dbEntries, err := cs.Custody(ctx)
			cs.Close()
			asOf, _ := strconv.ParseInt(last.Objects["as_of_seq"], 10, 64)
			switch {
			case err != nil:
				bad("%s: custody: %v", CaseDB, err)
			case int64(len(dbEntries)) != asOf:
				bad("%s: expected %d custody entries (the bundling entry's as_of_seq), found %d", CaseDB, asOf, len(dbEntries))
			default:
				for i, e := range dbEntries {
					if i >= len(entries) || e.Hash != entries[i].Hash {
						bad("%s: custody entry %d expected %s (%s line %d), found %s", CaseDB, e.Seq, entries[min(i, len(entries)-1)].Hash, CustodyJSONL, i+1, e.Hash)
						break
					}
				}
			}
		}
	}
	if len(problems) > 0 {
		c.fail(problems)
		return c
	}
	c.Status = StatusOK
	c.Detail = fmt.Sprintf("%d entries, unbroken, ending with the bundling (entry %d %s); %s is as of entry %s",
		len(entries), last.Seq, last.Hash[:16], CaseDB, last.Objects["as_of_seq"])
	return c
}
