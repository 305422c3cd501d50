package synth

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// AccessLog writes n web server access-log lines in the combined format with the mix a busy
// front end shows: mostly IPv4 clients and some IPv6, a vhost prefix on part of the lines
// (Apache vhost_combined), the occasional authenticated user (some user@REALM), "-" byte counts
// on 304s, percent-encoded paths, credentials in query strings now and then, and trailing fields
// (request time, a quoted X-Forwarded-For) on some lines. Times are local to -0700.
func AccessLog(w io.Writer, n int, seed int64) error {
	r := rng(seed)
	bw := bufio.NewWriterSize(w, 1<<20)
	zone := time.FixedZone("", -7*3600)
	vhosts := []string{"www.example.com:443", "api.example.com:443", "static.example.com:80"}
	users := []string{"alice", "bob", "svc-deploy@CORP.EXAMPLE.COM", "carol@EXAMPLE.ORG"}
	methods := []string{"GET", "GET", "GET", "GET", "GET", "POST", "POST", "HEAD", "PUT", "DELETE", "OPTIONS"}
	paths := []string{
		"/", "/index.html", "/static/app.3f9a1c.js", "/static/site.css", "/favicon.ico", "/login",
		"/api/v1/items", "/api/v1/items/%d", "/api/v1/users/%d/profile", "/search", "/docs/Getting%%20Started",
		"/files/r%%C3%%A9sum%%C3%%A9-%d.pdf", "/healthz", "/robots.txt", "/wp-login.php", "/.env",
	}
	statuses := []int{200, 200, 200, 200, 200, 200, 304, 304, 301, 302, 401, 403, 404, 404, 500, 502}
	agents := []string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
		"Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
		"curl/8.5.0", "python-requests/2.31.0", "Go-http-client/2.0", "kube-probe/1.29",
		"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
	}
	referrers := []string{"-", "-", "-", "https://www.example.com/", "https://www.example.com/search?q=pricing", "https://www.google.com/"}
	t := Base
	var b []byte
	for i := 0; i < n; i++ {
		t = t.Add(time.Duration(r.IntN(400)) * time.Millisecond)
		b = b[:0]
		if r.IntN(3) == 0 {
			b = append(b, pick(r, vhosts)...)
			b = append(b, ' ')
		}
		if r.IntN(8) == 0 {
			b = fmt.Appendf(b, "2001:db8:%x::%x", r.IntN(0x100), 1+r.IntN(0xffff))
		} else {
			b = append(b, ipv4(r, 20000)...)
		}
		b = append(b, " - "...)
		if r.IntN(10) == 0 {
			b = append(b, pick(r, users)...)
		} else {
			b = append(b, '-')
		}
		b = append(b, " ["...)
		b = t.In(zone).AppendFormat(b, "02/Jan/2006:15:04:05 -0700")
		b = append(b, `] "`...)
		b = append(b, pick(r, methods)...)
		b = append(b, ' ')
		if p := pick(r, paths); strings.Contains(p, "%d") {
			b = fmt.Appendf(b, p, r.IntN(100000))
		} else {
			b = append(b, strings.ReplaceAll(p, "%%", "%")...)
		}
		b = appendQuery(b, r)
		b = append(b, ` HTTP/`...)
		b = append(b, pick(r, []string{"1.1", "1.1", "2.0", "1.0"})...)
		b = append(b, `" `...)
		status := pick(r, statuses)
		b = strconv.AppendInt(b, int64(status), 10)
		b = append(b, ' ')
		if status == 304 && r.IntN(2) == 0 {
			b = append(b, '-')
		} else {
			b = strconv.AppendInt(b, int64(r.IntN(200000)), 10)
		}
		b = append(b, ` "`...)
		b = append(b, pick(r, referrers)...)
		b = append(b, `" "`...)
		b = append(b, pick(r, agents)...)
		b = append(b, '"')
		if r.IntN(5) == 0 {
			b = fmt.Appendf(b, ` %d.%03d "%s"`, r.IntN(3), r.IntN(1000), ipv4(r, 500))
		}
		b = append(b, '\n')
		if _, err := bw.Write(b); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// appendQuery adds a query string to some requests, a credential in a few of them.
func appendQuery(b []byte, r *rand.Rand) []byte {
	switch r.IntN(40) {
	case 0:
		return append(append(b, "?access_token="...), hexID(r, 40)...)
	case 1:
		return append(append(b, "?page=2&api_key="...), upperID(r, 32)...)
	case 2:
		return fmt.Appendf(b, "?q=%s&page=%d", pick(r, []string{"pricing", "gpu", "r%C3%A9sum%C3%A9", "a+b"}), r.IntN(20))
	case 3, 4, 5:
		return fmt.Appendf(b, "?id=%d&sort=desc", r.IntN(10000))
	}
	return b
}
