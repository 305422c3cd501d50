package awsalb

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/breachline/breachline/ingest/ingesttest"
)

// synthALB writes n ALB lines with a deterministic mix of types, statuses and clients. It lives
// here until internal/synth gets an ALB generator.
func synthALB(n int) []byte {
	var b bytes.Buffer
	b.Grow(n * 600)
	statuses := []string{"200 200", "200 200", "304 304", "404 404", "502 -", "401 401"}
	types := []string{"https", "h2", "http", "https"}
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `%s 2026-03-02T10:%02d:%02d.%06dZ app/web-prod/50dc6c495c0c9188 192.0.2.%d:%d 10.0.1.%d:8080 0.000 0.%03d 0.000 %s %d %d "GET https://www.example.com:443/api/v1/items/%d?page=%d HTTP/1.1" "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/73e2d6bc24d8a067 "Root=1-65e2f8a0-%024x" "www.example.com" "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012" 0 2026-03-02T10:00:00.000000Z "forward" "-" "-" "10.0.1.%d:8080" "200" "-" "-" TID_%032x`+"\n",
			types[i%len(types)], i/60%60, i%60, i%1000000, i%250+1, 1024+i%60000, i%200+1, i%1000,
			statuses[i%len(statuses)], 200+i%5000, 300+i%9000, i%10000, i%7, i, i%200+1, i)
	}
	return b.Bytes()
}

func BenchmarkIngest(b *testing.B) {
	ingesttest.Bench(b, New(), synthALB(200_000))
}
