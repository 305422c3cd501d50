package mapped

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// base is a valid mapping; cases replace its fields section or add lines.
const base = `name: t
version: 1.0.0
description: a test mapping
container: json
detect:
  keys: [a]
fields:
  time: a
  category:
    value: other
`

// TestMappingErrors holds every fault of a mapping file to a message naming the file, the line
// and the field. Each case's mapping has exactly one fault.
func TestMappingErrors(t *testing.T) {
	for _, c := range []struct {
		name, yaml, want string
	}{
		{"unknown transform", base + "  action:\n    from: b\n    transforms: [epoch_sec]\n",
			`m.yaml:13: field "action": unknown transform "epoch_sec" (known: lowercase, uppercase, trim, percent_decode, number, epoch_s, epoch_ms, epoch_us, epoch_ns, time, regex, map, sha256, query_credential)`},
		{"unknown transform in time", strings.Replace(base, "  time: a\n", "  time:\n    from: a\n    transforms: [epoch_sec]\n", 1),
			`m.yaml:10: field "time": unknown transform "epoch_sec" (known: lowercase, uppercase, trim, percent_decode, number, epoch_s, epoch_ms, epoch_us, epoch_ns, time, regex, map, sha256, query_credential)`},
		{"unknown top-level key", base + "contaner: json\n",
			`m.yaml:11: unknown key "contaner" (known: name, version, description, container, wrappers, csv, detect, fields, attrs)`},
		{"unknown field key", base + "  action:\n    form: b\n",
			`m.yaml:12: field "action": unknown key "form" (known: from, value, template, default, transforms, when)`},
		{"unknown event field", base + "  user: b\n",
			`m.yaml:11: field "user": not an event field (known: time, category, action, outcome, principal, principal_type, src_ip, user_agent, credential, resource, resource_type, secret_ref, request_id; put other values in attrs)`},
		{"bad regex", base + "  action:\n    from: b\n    transforms:\n      - regex: '(unclosed'\n",
			"m.yaml:14: field \"action\": bad regex: error parsing regexp: missing closing ): `(unclosed`"},
		{"regex without a group", base + "  action:\n    from: b\n    transforms:\n      - regex: 'x+'\n",
			`m.yaml:14: field "action": regex "x+" has no capture group: the field keeps the first group, (…)`},
		{"category table value", strings.Replace(base, "    value: other\n", "    from: b\n    transforms:\n      - map:\n          in: auth\n          out: logout\n", 1),
			`m.yaml:14: field "category": "logout" is not a category (secret_read, secret_write, credential_issue, credential_revoke, auth, http_request, api_call, admin, data_access, process, other)`},
		{"category table default", strings.Replace(base, "    value: other\n", "    from: b\n    transforms:\n      - map: {in: auth}\n        default: misc\n", 1),
			`m.yaml:13: field "category": "misc" is not a category (secret_read, secret_write, credential_issue, credential_revoke, auth, http_request, api_call, admin, data_access, process, other)`},
		{"category constant", strings.Replace(base, "value: other", "value: Other", 1),
			`m.yaml:10: field "category": "Other" is not a category (secret_read, secret_write, credential_issue, credential_revoke, auth, http_request, api_call, admin, data_access, process, other)`},
		{"outcome table value", base + "  outcome:\n    from: r\n    transforms:\n      - map: {ok: success, no: failed}\n",
			`m.yaml:14: field "outcome": "failed" is not an outcome (success, failure, unknown)`},
		{"missing time", strings.Replace(base, "  time: a\n", "", 1),
			`m.yaml:7: field "time": missing: every event needs the time the record gives`},
		{"missing category", strings.Replace(base, "  category:\n    value: other\n", "", 1),
			`m.yaml:7: field "category": missing: every event needs a category (secret_read, secret_write, credential_issue, credential_revoke, auth, http_request, api_call, admin, data_access, process, other)`},
		{"constant time", strings.Replace(base, "  time: a\n", "  time:\n    value: \"2026-01-01T00:00:00Z\"\n", 1),
			`m.yaml:8: field "time": time must be read from the record with from: a constant or built time would be a guess`},
		{"time default", strings.Replace(base, "  time: a\n", "  time:\n    from: a\n    default: \"2026-01-01T00:00:00Z\"\n", 1),
			`m.yaml:10: field "time": time has no default: a record without a time is rejected, not given one`},
		{"time lowercase", strings.Replace(base, "  time: a\n", "  time:\n    from: a\n    transforms: [lowercase, epoch_s]\n", 1),
			`m.yaml:10: field "time": only trim and regex may come before the time conversion, so that time_raw stays the text as logged`},
		{"two conversions", strings.Replace(base, "  time: a\n", "  time:\n    from: a\n    transforms:\n      - epoch_s\n      - epoch_ms\n", 1),
			`m.yaml:12: field "time": more than one time conversion; give one (time: takes a list of layouts)`},
		{"conversion not last", strings.Replace(base, "  time: a\n", "  time:\n    from: a\n    transforms:\n      - epoch_s\n      - trim\n", 1),
			`m.yaml:12: field "time": transform "trim" comes after the time conversion; the conversion must be last`},
		{"conversion outside time", base + "  action:\n    from: b\n    transforms: [epoch_ms]\n",
			`m.yaml:13: field "action": transform "epoch_ms" converts times; only the time field takes it`},
		{"layout without a year", strings.Replace(base, "  time: a\n", "  time:\n    from: a\n    transforms:\n      - time: \"Jan _2 15:04:05\"\n", 1),
			`m.yaml:11: field "time": time layout "Jan _2 15:04:05" does not hold a full date (year, month and day); layouts are written with Go's reference time 2006-01-02T15:04:05Z07:00`},
		{"raw credential", base + "  credential: token\n",
			`m.yaml:11: field "credential": a credential must become a handle: add the sha256 transform (a raw token becomes its keyed handle) or query_credential (the credential of a URL's query), or build a handle of a known scheme with a template such as "aws-key-id:{path}" (schemes: aws-key-id, case-hmac, sha256, github-hashed-token, vault-hmac, gcp-key, k8s-credential-id, azure-key-id); an identifier of no known scheme belongs in attrs`},
		{"credential of an unknown scheme", base + "  credential:\n    template: \"hub-token-id:{token.id}\"\n",
			`m.yaml:11: field "credential": a credential must become a handle: add the sha256 transform (a raw token becomes its keyed handle) or query_credential (the credential of a URL's query), or build a handle of a known scheme with a template such as "aws-key-id:{path}" (schemes: aws-key-id, case-hmac, sha256, github-hashed-token, vault-hmac, gcp-key, k8s-credential-id, azure-key-id); an identifier of no known scheme belongs in attrs`},
		{"sha256 not last", base + "  credential:\n    from: token\n    transforms: [sha256, lowercase]\n",
			`m.yaml:13: field "credential": sha256 must be the last transform: it makes the handle, and nothing may change it after`},
		{"two sources", base + "  action:\n    from: b\n    value: c\n",
			`m.yaml:11: field "action": give only one of from, value and template`},
		{"no source", base + "  action:\n    default: c\n",
			`m.yaml:11: field "action": has no source: give from (a path in the record), value (a constant) or template`},
		{"bad path", base + "  action: a..b\n",
			`m.yaml:11: field "action": path "a..b": empty key at byte 2 (quote keys that hold dots: a["b.c"])`},
		{"bad index", base + "  action: a[x]\n",
			`m.yaml:11: field "action": path "a[x]": index "x" is not a number (paths name single elements: [0], [1], …)`},
		{"template not closed", base + "  secret_ref:\n    template: \"svc:{path\"\n",
			`m.yaml:12: field "secret_ref": template "svc:{path": { at byte 4 is not closed (write {{ for a literal brace)`},
		{"when category", base + "  secret_ref:\n    from: p\n    when:\n      category: [secret]\n",
			`m.yaml:14: field "secret_ref": when.category: "secret" is not a category (secret_read, secret_write, credential_issue, credential_revoke, auth, http_request, api_call, admin, data_access, process, other)`},
		{"when from without in", base + "  secret_ref:\n    from: p\n    when:\n      from: op\n",
			`m.yaml:14: field "secret_ref": when.from needs in: the values that let the field be filled`},
		{"when on category", strings.Replace(base, "    value: other\n", "    value: other\n    when:\n      from: op\n      in: [x]\n", 1),
			`m.yaml:11: field "category": the category cannot depend on a when condition (when conditions read the category)`},
		{"reserved attr", base + "attrs:\n  redacted: x\n",
			`m.yaml:12: attr "redacted": is set by the ingest core (it records what was redacted); choose another name`},
		{"attr transform", base + "attrs:\n  region:\n    from: r\n    transforms: [upper]\n",
			`m.yaml:14: attr "region": unknown transform "upper" (known: lowercase, uppercase, trim, percent_decode, number, epoch_s, epoch_ms, epoch_us, epoch_ns, time, regex, map, sha256, query_credential)`},
		{"wrappers on csv", strings.Replace(base, "container: json\ndetect:\n  keys: [a]\n", "container: csv\nwrappers: [Records]\ndetect:\n  columns: [a]\n", 1),
			`m.yaml:5: wrappers: wrappers are for JSON containers; this mapping reads CSV`},
		{"csv comma", strings.Replace(base, "container: json\ndetect:\n  keys: [a]\n", "container: csv\ncsv:\n  comma: \";;\"\ndetect:\n  columns: [a]\n", 1),
			`m.yaml:6: csv: comma must be one character other than a quote or a line break (\t or tab for a tab), not ";;"`},
		{"detect keys on csv", strings.Replace(base, "container: json\n", "container: csv\n", 1),
			`m.yaml:6: detect: detect.keys are JSON paths; for CSV name header columns in detect.columns`},
		{"no detect", strings.Replace(base, "detect:\n  keys: [a]\n", "", 1),
			`m.yaml: missing detect: how to recognise the log (keys of the first JSON record, CSV header columns, or a regex on the head of the file)`},
		{"bad detect regex", strings.Replace(base, "  keys: [a]\n", "  regex: '[a-'\n", 1),
			"m.yaml:6: detect: bad regex: error parsing regexp: missing closing ]: `[a-`"},
		{"container", strings.Replace(base, "container: json", "container: xml", 1),
			`m.yaml:4: container: "xml" is not json or csv`},
		{"missing name", strings.Replace(base, "name: t\n", "", 1),
			`m.yaml: missing name: the source name of its events (hub-audit)`},
		{"bad name", strings.Replace(base, "name: t\n", "name: Hub Audit\n", 1),
			`m.yaml:1: name: "Hub Audit" must be lowercase letters, digits, '.', '_' and '-' (at most 64)`},
		{"key given twice", base + "name: u\n",
			`m.yaml:11: key "name" given twice (first on line 1)`},
		{"bare transform with an argument", base + "  action:\n    from: b\n    transforms:\n      - lowercase: true\n",
			`m.yaml:14: field "action": transform "lowercase" takes no argument; write it as "- lowercase"`},
		{"two transforms in one entry", base + "  action:\n    from: b\n    transforms:\n      - regex: '(x)'\n        map: {x: y}\n",
			`m.yaml:15: field "action": unexpected key "map" in transform "regex" (one transform per list entry; map alone may add default)`},
		{"null value", base + "  action:\n    value: ~\n",
			`m.yaml:12: field "action": value has no value (write "" for an empty string)`},
		{"fields not a mapping", strings.Replace(base, "fields:\n  time: a\n  category:\n    value: other\n", "fields: [time]\n", 1),
			`m.yaml:7: fields: this section must be a mapping of keys to values`},
		{"yaml syntax", base + "  action: [unclosed\n",
			`m.yaml:10: YAML: did not find expected ',' or ']'`},
		{"two documents", base + "---\nname: u\n",
			`m.yaml:11: a mapping file holds one YAML document; another starts here`},
		{"empty file", "", `m.yaml: empty mapping file`},
		{"json mapping", `{
  "name": "t", "version": "1.0.0", "description": "d", "container": "json",
  "detect": {"keys": ["a"]},
  "fields": {
    "time": {"from": "a", "transforms": ["epoch_sec"]},
    "category": {"value": "other"}
  }
}`, `m.yaml:5: field "time": unknown transform "epoch_sec" (known: lowercase, uppercase, trim, percent_decode, number, epoch_s, epoch_ms, epoch_us, epoch_ns, time, regex, map, sha256, query_credential)`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("m.yaml", []byte(c.yaml))
			require.Error(t, err)
			require.Equal(t, c.want, err.Error())
			var me *MappingError
			require.True(t, errors.As(err, &me), "a *MappingError")
			require.Equal(t, "m.yaml", me.File)
		})
	}
}

// TestMappingErrorsAllReported checks that one load reports every fault, in line order.
func TestMappingErrorsAllReported(t *testing.T) {
	_, err := Parse("m.yaml", []byte(base+"  user: b\n  action:\n    from: b\n    transforms: [nope]\ncolour: red\n"))
	require.Error(t, err)
	lines := strings.Split(err.Error(), "\n")
	require.Len(t, lines, 3)
	require.True(t, strings.HasPrefix(lines[0], "m.yaml:11: field \"user\""), lines[0])
	require.True(t, strings.HasPrefix(lines[1], "m.yaml:14: field \"action\""), lines[1])
	require.True(t, strings.HasPrefix(lines[2], "m.yaml:15: unknown key \"colour\""), lines[2])
}

func TestValidMappings(t *testing.T) {
	for _, y := range []string{
		base,
		base + "  credential:\n    template: \"aws-key-id:{key}\"\n",
		base + "  credential:\n    from: token\n    transforms: [trim, sha256]\n",
		strings.Replace(base, "  time: a\n", "  time:\n    from: a\n    transforms:\n      - regex: '^(\\S+)'\n      - time: [RFC3339, \"2006-01-02 15:04:05\"]\n", 1),
		strings.Replace(base, "container: json\ndetect:\n  keys: [a]\n", "container: csv\ncsv:\n  comma: tab\ndetect:\n  columns: [a]\n", 1),
	} {
		_, err := Parse("m.yaml", []byte(y))
		require.NoError(t, err, y)
	}
}

func TestLoad(t *testing.T) {
	_, err := Load("testdata/mappings/does-not-exist.yaml")
	var me *MappingError
	require.True(t, errors.As(err, &me))
	require.Contains(t, err.Error(), "testdata/mappings/does-not-exist.yaml: open")
	ing, err := Load("testdata/mappings/json.yaml")
	require.NoError(t, err)
	require.Equal(t, "secrets-service", ing.Name())
	require.Equal(t, "json", ing.Container())
}
