package bundle

import (
	"fmt"
	"strings"
)

// checkManifests is check 1: bagit.txt, every tag manifest and manifest line against the file it
// names, no payload or tag file missing or unlisted, and the Payload-Oxum.
func checkManifests(b *bag) *Check {
	c := &Check{Number: "1", Name: "manifests"}
	var problems []string
	bad := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
	problems = append(problems, b.odd...)
	if v, err := b.read(BagitTxt); err != nil {
		bad("%s: missing", BagitTxt)
	} else if !strings.Contains(string(v), "BagIt-Version: 1.0") {
		bad("%s: expected \"BagIt-Version: 1.0\", found %q", BagitTxt, clip(strings.TrimSpace(string(v))))
	}
	listed := map[string]bool{}
	entriesOf := func(manifest string, payload bool) {
		data, err := b.read(manifest)
		if err != nil {
			bad("%s: missing", manifest)
			return
		}
		entries, err := parseManifest(manifest, data)
		if err != nil {
			bad("%v", err)
		}
		for _, e := range entries {
			where := fmt.Sprintf("%s line %d", manifest, e.Line)
			if err := cleanRel(e.Path); err != nil {
				bad("%s: %q is %v", where, e.Path, err)
				continue
			}
			if payload != isPayload(e.Path) {
				bad("%s: %s is not a %s file", where, e.Path, map[bool]string{true: "payload (data/)", false: "tag"}[payload])
				continue
			}
			if listed[e.Path] {
				bad("%s: %s is listed twice", where, e.Path)
				continue
			}
			listed[e.Path] = true
			if !b.files[e.Path] {
				bad("%s: missing (listed in %s)", e.Path, where)
				continue
			}
			sum, _, err := hashFile(b.fsys, e.Path)
			if err != nil {
				bad("%s: cannot be read: %v", e.Path, err)
			} else if sum != e.SHA256 {
				bad("%s: sha256 expected %s (%s), found %s", e.Path, e.SHA256, where, sum)
			}
		}
	}
	// The tag manifest first: an altered manifest line is named as the manifest's change.
	entriesOf(TagManifestTxt, false)
	entriesOf(ManifestTxt, true)
	var bytes int64
	var files int
	for _, f := range b.sorted() {
		switch {
		case isPayload(f):
			files++
			if _, n, err := hashFile(b.fsys, f); err == nil {
				bytes += n
			}
			if !listed[f] {
				bad("%s: not in %s (a file was added)", f, ManifestTxt)
			}
		case !listed[f] && !unlistedTagFiles[f]:
			bad("%s: a tag file not in %s (a file was added)", f, TagManifestTxt)
		}
	}
	if data, err := b.read(BagInfoTxt); err == nil {
		info, err := parseBagInfo(data)
		if err != nil {
			bad("%v", err)
		}
		if ox := info.Get("Payload-Oxum"); ox == "" {
			bad("%s: no Payload-Oxum", BagInfoTxt)
		} else if n, k, err := parseOxum(ox); err != nil {
			bad("%s: %v", BagInfoTxt, err)
		} else if n != bytes || k != files {
			bad("%s: Payload-Oxum expected %s, found %s", BagInfoTxt, ox, payloadOxum(bytes, files))
		}
	} else {
		bad("%s: missing", BagInfoTxt)
	}
	if len(problems) > 0 {
		c.fail(problems)
		return c
	}
	c.Status = StatusOK
	c.Detail = fmt.Sprintf("%d payload files, %d bytes, Payload-Oxum %s; every manifest line matches, nothing missing or unlisted",
		files, bytes, payloadOxum(bytes, files))
	return c
}
