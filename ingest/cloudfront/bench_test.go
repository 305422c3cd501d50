package cloudfront

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/breachline/breachline/ingest/ingesttest"
)

// synthCloudFront writes a CloudFront log of n requests with a deterministic mix of statuses,
// clients and paths. It lives here until internal/synth gets a CloudFront generator.
func synthCloudFront(n int) []byte {
	var b bytes.Buffer
	b.Grow(n * 450)
	b.WriteString("#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end\n")
	statuses := []string{"200", "200", "304", "404", "403", "502"}
	results := []string{"Hit", "Miss", "RefreshHit", "Error"}
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "2026-03-02\t%02d:%02d:%02d\tIAD89-C3\t%d\t192.0.2.%d\tGET\td111111abcdef8.cloudfront.net\t/static/app-%d.js\t%s\t-\tMozilla/5.0%%20(X11;%%20Linux%%20x86_64)\tv=%d\t-\t%s\treq%050d==\twww.example.com\thttps\t%d\t0.%03d\t-\tTLSv1.3\tTLS_AES_128_GCM_SHA256\t%s\tHTTP/2.0\t-\t-\t%d\t0.001\t%s\tapplication/javascript\t%d\t-\t-\n",
			i/3600%24, i/60%60, i%60, 300+i%9000, i%250+1, i%500, statuses[i%len(statuses)], i%9,
			results[i%len(results)], i, 200+i%800, i%1000, results[i%len(results)], 1024+i%60000,
			results[i%len(results)], 100+i%9000)
	}
	return b.Bytes()
}

func BenchmarkIngest(b *testing.B) {
	ingesttest.Bench(b, New(), synthCloudFront(200_000))
}
