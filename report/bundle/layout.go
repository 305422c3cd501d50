package bundle

import (
	"fmt"
	"path"
	"strings"
)

// The bag's files, as paths relative to its root (docs/evidence.md lists what each holds).
const (
	BagitTxt       = "bagit.txt"
	BagInfoTxt     = "bag-info.txt"
	ManifestTxt    = "manifest-sha256.txt"
	TagManifestTxt = "tagmanifest-sha256.txt"
	// SignatureFile is the detached Ed25519 signature over the tag manifest's bytes (64 raw
	// bytes, as openssl pkeyutl -sigfile reads it).
	SignatureFile = TagManifestTxt + ".sig"
	// PublicKeyFile is the signer's public key (PEM, PKIX), listed in the tag manifest.
	PublicKeyFile = "signer-ed25519.pub"
	// QueryFile is the RFC 3161 timestamp query over the tag manifest (--tsq) and ResponseFile
	// the authority's response (bundle stamp); both come after the signature, so neither is in
	// the tag manifest.
	QueryFile    = TagManifestTxt + ".tsq"
	ResponseFile = TagManifestTxt + ".tsr"

	dataDir        = "data"
	CaseDB         = "data/case.db"
	EventsJSONL    = "data/timeline/events.jsonl"
	RejectsJSONL   = "data/timeline/rejects.jsonl"
	CoverageJSON   = "data/timeline/coverage.json"
	FindingsJSONL  = "data/findings/findings.jsonl"
	CredentialsJSL = "data/findings/credentials.jsonl"
	ReportsJSONL   = "data/findings/reports.jsonl"
	reportsDir     = "data/findings/reports"
	CustodyJSONL   = "data/custody/custody.jsonl"
	ToolJSON       = "data/method/tool.json"
	ConfigJSON     = "data/method/config.json"
	mappingsDir    = "data/method/mappings"
	ReproduceMD    = "data/REPRODUCE.md"
	originalsDir   = "data/originals"
	// OriginalsSums lists every evidence file's sha256 and its name under data/originals, in
	// sha256sum's format, whether or not the originals were shipped.
	OriginalsSums = "data/originals/SHA256SUMS"
)

// unlistedTagFiles may sit in the bag's root without a tag manifest line: the tag manifest
// itself and what is made from it afterwards.
var unlistedTagFiles = map[string]bool{TagManifestTxt: true, SignatureFile: true, QueryFile: true, ResponseFile: true}

// originalName is where an evidence file recorded under p goes below data/originals: the path as
// the examiner gave it, cleaned, with an absolute path under _root/ and each ".." as _up, and
// every byte that sha256sum or BagIt would escape in a manifest (control characters, backslash,
// percent) replaced by _, so that every manifest line is plain "hash  path".
func originalName(p string) string {
	p = strings.ReplaceAll(p, "\\", "/")
	abs := strings.HasPrefix(p, "/")
	var parts []string
	for _, el := range strings.Split(p, "/") {
		switch el {
		case "", ".":
			continue
		case "..":
			el = "_up"
		}
		parts = append(parts, safeName(el))
	}
	if len(parts) == 0 {
		parts = []string{"_"}
	}
	if abs {
		parts = append([]string{"_root"}, parts...)
	}
	return path.Join(parts...)
}

func safeName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0x20, r == 0x7f, r == '%', r == '\\', r == '*':
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// cleanRel reports whether name is a clean relative slash path inside the bag: not absolute, no
// empty, "." or ".." element, no backslash, no NUL.
func cleanRel(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("an empty name")
	case strings.HasPrefix(name, "/"):
		return fmt.Errorf("an absolute path")
	case strings.ContainsAny(name, "\\\x00"):
		return fmt.Errorf("a backslash or NUL in the name")
	case len(name) > 1 && name[1] == ':':
		return fmt.Errorf("a drive letter")
	}
	for _, el := range strings.Split(name, "/") {
		switch el {
		case "..":
			return fmt.Errorf("a .. element that escapes the folder")
		case "", ".":
			return fmt.Errorf("an empty or . element")
		}
	}
	return nil
}
