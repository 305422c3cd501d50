package correlate

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// The results hash quotes values as strconv.Quote does, on its own fast path for ASCII.
func TestAppendQuotedIsStrconvQuote(t *testing.T) {
	for _, s := range []string{"", "plain", `a "quoted" \ path\`, `["read failed: an attempt"]`, "tab\there", "line\n",
		"caf\u00e9", "\x7f", "\x00", "bad \xff utf-8", "emoji \U0001F600", "\u2028"} {
		require.Equal(t, strconv.Quote(s), string(appendQuoted(nil, s)), "%q", s)
	}
}

func FuzzAppendQuoted(f *testing.F) {
	f.Add(`x"\y`)
	f.Fuzz(func(t *testing.T, s string) {
		if got := string(appendQuoted([]byte("prefix"), s)); got != "prefix"+strconv.Quote(s) {
			t.Fatalf("%q: %s", s, got)
		}
	})
}
