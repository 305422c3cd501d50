package bundle

import (
	"bytes"
	"fmt"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// reproduceMD is data/REPRODUCE.md: the commands that rebuild the case from data/originals and
// the sha256 the rebuilt events.jsonl and findings.jsonl must have.
func reproduceMD(cfg *Config, eventsSHA, findingsSHA, toolVersion string) []byte {
	var b bytes.Buffer
	p := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	p("# Reproducing this case")
	p("")
	p("Case %s (%q), made with breachline %s.", cfg.CaseID, cfg.CaseName, toolVersion)
	p("")
	p("Rebuilt from the originals with the same breachline version and the settings below, the")
	p("timeline and the findings must have exactly these sha256:")
	p("")
	p("```")
	p("%s  data/timeline/events.jsonl", eventsSHA)
	p("%s  data/findings/findings.jsonl", findingsSHA)
	p("```")
	p("")
	if !cfg.Originals {
		p("**The originals are not in this bag** (`--no-originals`): `data/originals/SHA256SUMS` lists")
		p("their sha256 only. Obtain the files, check them against that list, place them under")
		p("`data/originals/` with the names it gives, and then follow the steps below.")
		p("")
	}
	p("## With breachline")
	p("")
	p("```sh")
	p("breachline verify BAG      # checks 1-3, then does the steps below in a temporary case (check 4)")
	p("```")
	p("")
	p("## Step by step")
	p("")
	p("Run from the bag's root. Never open `data/case.db` in place (SQLite may write beside it):")
	p("work on a copy. The handle key is the case's own (`docs/handles.md`): the rebuilt case must")
	p("use it for its credential handles to be the same.")
	p("")
	p("```sh")
	p("cp data/case.db /tmp/bag-case.db")
	p("breachline handle-key --case /tmp/bag-case.db > /tmp/bag.key 2>/dev/null")
	p("breachline init --case /tmp/repro.db --name %s --handle-key /tmp/bag.key", shellQuote(cfg.CaseName))
	p("cd data/originals")
	relative := true
	for _, ev := range cfg.Evidence {
		if !ev.Current {
			continue
		}
		if ev.Original != originalName(ev.Path) || filepath.IsAbs(ev.Path) || strings.Contains(ev.Path, "..") {
			relative = false
		}
		p("%s", ingestCommand(ev))
	}
	p("cd ../..")
	p("sqlite3 /tmp/repro.db \"ATTACH '/tmp/bag-case.db' AS bag;")
	p("  INSERT INTO inventory SELECT * FROM bag.inventory;")
	p("  INSERT INTO inventory_handles SELECT * FROM bag.inventory_handles;")
	p("  INSERT INTO iocs SELECT * FROM bag.iocs;\"")
	if c := cfg.Correlation; c != nil {
		cmd := "breachline correlate --case /tmp/repro.db"
		if c.WindowStart != "" {
			cmd += " --window-start " + c.WindowStart
		}
		if c.WindowEnd != "" && !strings.HasPrefix(c.WindowEnd, "9999-") {
			cmd += " --window-end " + c.WindowEnd
		}
		if c.Gap != "" {
			cmd += " --gap " + c.Gap
		}
		p("%s", cmd)
	}
	p("breachline keygen --out /tmp/repro.key")
	p("breachline bundle --case /tmp/repro.db --no-originals --key /tmp/repro.key --out /tmp/repro-bag")
	p("sha256sum /tmp/repro-bag/data/timeline/events.jsonl /tmp/repro-bag/data/findings/findings.jsonl")
	p("```")
	p("")
	p("Each file is ingested alone, in the order the case stored them, with `--format` forcing the")
	p("ingester the case recorded and the settings it recorded (`data/method/config.json`). The")
	p("inventory and indicators are copied from the case: the inventory holds only handles and")
	p("masked displays, and the raw inventory file is not needed. The correlation runs with the")
	p("window and gap of the case's last `correlate` (custody entry %s).", correlationSeq(cfg))
	if !relative {
		p("")
		p("Some evidence paths were absolute or left the folder they were given from: under")
		p("`data/originals` they have other names, and the events' `evidence_path` would differ from")
		p("the bag's. `breachline verify` records the original paths while it ingests; by hand, compare")
		p("the files after replacing `evidence_path` with the paths in `data/method/config.json`.")
	}
	return b.Bytes()
}

func correlationSeq(cfg *Config) string {
	if cfg.Correlation == nil {
		return "none: the case was never correlated"
	}
	return fmt.Sprint(cfg.Correlation.CustodySeq)
}

// ingestCommand is the ingest command line of one evidence file, run from data/originals.
func ingestCommand(ev EvidenceConfig) string {
	args := []string{"breachline", "ingest", "--case", "/tmp/repro.db"}
	if ev.Mapping != "" {
		args = append(args, "--mapping", path.Join("../method/mappings", ev.Mapping))
	}
	if ev.Format != "" {
		args = append(args, "--format", ev.Format)
	}
	keys := make([]string, 0, len(ev.Settings))
	for k := range ev.Settings {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := ev.Settings[k]
		switch k {
		case "assume_tz":
			args = append(args, "--assume-tz", shellQuote(v))
		case "max_record":
			args = append(args, "--max-record", v)
		case "log_format":
			args = append(args, "--log-format", shellQuote(v))
		case "secret_paths":
			for _, s := range strings.Split(v, ",") {
				args = append(args, "--secret-path", shellQuote(s))
			}
		}
	}
	return strings.Join(append(args, shellQuote(ev.Original)), " ")
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:@+=,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
