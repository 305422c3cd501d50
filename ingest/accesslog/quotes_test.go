package accesslog

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestUnescapedQuotesBounded: a long hostile line full of places where fields could end is
// refused in bounded time, in the built-in grammar and in a --log-format plan.
func TestUnescapedQuotesBounded(t *testing.T) {
	filler := strings.Repeat("a", 64<<10)
	var req, ua strings.Builder
	for k := 0; k < 40; k++ {
		req.WriteString(`x" 200 5 "` + filler[:1<<10])
		ua.WriteString(`"` + filler[:1<<10] + `" 1 `)
	}
	line := `192.0.2.1 - - [02/Mar/2026:10:00:00 +0000] "GET /` + req.String() + ` HTTP/1.1" 200 5 "-" "` + ua.String() + filler + `"`
	lf, err := CompileLogFormat(nginxMain)
	require.NoError(t, err)
	start := time.Now()
	var p parser
	why := p.parse(line)
	require.Contains(t, why, "ambiguous")
	why = p.parseWith(lf, line)
	require.NotEmpty(t, why)
	t.Logf("%d-byte line refused in %v", len(line), time.Since(start))
	require.Less(t, time.Since(start), 5*time.Second)
}

// TestKnownTrailing: what may follow a user agent whose end is found by the structure.
func TestKnownTrailing(t *testing.T) {
	for _, rest := range []string{
		` 0.012`, ` -`, ` "-"`, ` "203.0.113.9, 10.0.0.1"`, ` rt=0.012 uct="0.001" urt="0.010, 0.002"`,
		` HIT TLSv1.3 10.1.0.7:8080`, ` [backend-pool] 0.500`, ` "[2001:db8::1]:443"`, ` "0.001 : 0.002"`, ` "unknown"`,
	} {
		require.True(t, knownTrailing(rest, 0), rest)
	}
	for _, rest := range []string{
		` "y"`, ` agent"`, ` (Windows)"`, ` a="b"`, ` "Mozilla 5.0"`, ` x" "-"`, ` "\"-\""`, ``, ` `,
	} {
		require.False(t, knownTrailing(rest, 0), rest)
	}
}
