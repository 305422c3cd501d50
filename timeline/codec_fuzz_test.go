package timeline

import (
	"bytes"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/breachline/breachline/normalize"
)

// FuzzAttrsCodec: whatever attrs an ingester makes, splitting them and joining them back gives
// the canonical JSON byte for byte, with repeated strings coded or not.
func FuzzAttrsCodec(f *testing.F) {
	for _, s := range []string{
		`{"a":1,"b":"x","c":true}`, `{"bytes":203023,"referrer":"http://example.com/a","status":200}`,
		`{"q":"say \"hi\" \\ there","z":null}`, `{"n":{"x":1}}`, `{"k":"\u00e9t\u00e9 ☃"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var m map[string]any
		if json.Unmarshal(in, &m) != nil || len(m) == 0 {
			return
		}
		canon, err := normalize.MarshalAttrs(m)
		if err != nil {
			return
		}
		ids := fakeIDs{map[string]int64{}, map[string]struct{}{}}
		enc := newEncoder(ids)
		for round := 0; round < 3; round++ { // the second and third time, repeated strings are ids
			shape, values, ok, err := encodeAttrs(nil, nil, canon, enc.codeAttr)
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				return
			}
			var coded bytes.Buffer
			coded.WriteByte('[')
			for i, n := 1, 0; i < len(values); i++ {
				if values[i] != '[' {
					if values[i] == '"' {
						_, sn := plainString(values[i:])
						i += sn - 1
					}
					continue
				}
				end := bytes.IndexByte(values[i:], ']') + i
				id := string(values[i+1 : end])
				for s, v := range ids.ids {
					if strconv.FormatInt(v, 10) == id {
						if n > 0 {
							coded.WriteByte(',')
						}
						coded.Write(normalize.AppendJSONString(nil, s))
						n++
					}
				}
				i = end
			}
			coded.WriteByte(']')
			back, ok := decodeAttrs(nil, shape, values, coded.Bytes())
			if !ok || !bytes.Equal(back, canon) {
				t.Fatalf("round %d: %s\nshape %s values %s coded %s\nback  %s", round, canon, shape, values, coded.Bytes(), back)
			}
		}
	})
}

// FuzzTimeRaw: a time_raw stored as a code renders back to exactly the text.
func FuzzTimeRaw(f *testing.F) {
	for _, s := range []string{"2026-03-01T00:00:01Z", "17/May/2015:10:05:03 +0200", "1700000000.123", "1700000000123",
		"2026-03-01 01:00:01.5", "2026-03-01T01:00:01.1234567+01:00"} {
		f.Add(int64(1772323201123456789), s)
	}
	f.Fuzz(func(t *testing.T, ns int64, raw string) {
		tm := time.Unix(0, ns).UTC()
		code, _ := encodeTimeRaw(nil, tm, raw)
		if code != 0 && renderTimeRaw(tm, code) != raw {
			t.Fatalf("code %d renders %q, not %q", code, renderTimeRaw(tm, code), raw)
		}
	})
}
