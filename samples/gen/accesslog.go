package main

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"
)

// hubRequest is one request to the hub's API, as its nginx logs it (vhost_combined).
type hubRequest struct {
	t      time.Time
	ip     string
	method string
	target string
	status int
	bytes  int
	ua     string
}

func (r hubRequest) line() string {
	b := "-"
	if r.bytes > 0 {
		b = fmt.Sprint(r.bytes)
	}
	return fmt.Sprintf(`hub.example.com:443 %s - - [%s] "%s %s HTTP/1.1" %d %s "-" "%s"`,
		r.ip, r.t.UTC().Format("02/Jan/2006:15:04:05 -0700"), r.method, r.target, r.status, b, r.ua)
}

// withToken appends a token as the query parameter older hub clients send it in.
func withToken(path, param, token string) string {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + param + "=" + url.QueryEscape(token)
}

// hubAPI returns the hub API requests of the incident, before and during the window.
func hubAPI() (baseline, window []hubRequest) {
	for day := 1; day <= 2; day++ {
		baseline = append(baseline,
			hubRequest{at(day, 9, 12, 3), aliceIP, "GET", withToken("/api/whoami-v2", "access_token", aliceHubToken), 200, 734, vpsUA},
			hubRequest{at(day, 9, 12, 5), aliceIP, "GET", withToken("/api/spaces/acme/chatbot", "access_token", aliceHubToken), 200, 2210, vpsUA},
			hubRequest{at(day, 10, 40, 0), daveHome, "GET", withToken("/api/models/datalab/notebook-model", "token", daveHubToken), 200, 1830, curlUA},
			hubRequest{at(day, 11, 5, 44), "192.0.2.99", "GET", "/api/models?search=llama", 200, 40211, browserUA},
			hubRequest{at(day, 10, 20, 0), frankHome, "GET", withToken("/api/spaces/datalab/translate", "access_token", frankHubToken), 200, 1904, curlUA},
		)
	}
	window = append(window,
		// Alice works from home the night the window opens, before her token is exposed, and again
		// that evening: her second usual address.
		hubRequest{at(3, 0, 40, 12), aliceHome, "GET", withToken("/api/whoami-v2", "access_token", aliceHubToken), 200, 734, vpsUA},
		hubRequest{at(3, 20, 5, 31), aliceHome, "GET", withToken("/api/spaces/acme/chatbot", "access_token", aliceHubToken), 200, 2210, vpsUA},
		// Frank at home, then abroad: his secret was only read by its consumers in the window.
		hubRequest{at(3, 10, 20, 0), frankHome, "GET", withToken("/api/spaces/datalab/translate", "access_token", frankHubToken), 200, 1904, curlUA},
		hubRequest{at(4, 7, 45, 3), frankTravel, "GET", withToken("/api/spaces/datalab/translate", "access_token", frankHubToken), 200, 1904, curlUA},
		// The intruder tries alice's token, lists the org's repositories and downloads a private model.
		hubRequest{at(3, 2, 31, 7), attackerIP1, "GET", withToken("/api/whoami-v2", "access_token", aliceHubToken), 200, 734, vpsUA},
		hubRequest{at(3, 2, 31, 9), attackerIP1, "GET", withToken("/api/models?author=acme", "access_token", aliceHubToken), 200, 5122, vpsUA},
		hubRequest{at(3, 2, 33, 40), attackerIP1, "GET", withToken("/acme/private-model/resolve/main/model.safetensors", "access_token", aliceHubToken), 302, 0, vpsUA},
		hubRequest{at(3, 2, 40, 2), attackerIP1, "GET", "/api/whoami-v2", 401, 58, vpsUA},
		hubRequest{at(3, 9, 12, 3), aliceIP, "GET", withToken("/api/whoami-v2", "access_token", aliceHubToken), 200, 734, vpsUA},
		// Dave travels: his token from a new address, with no exposure behind it.
		hubRequest{at(4, 8, 2, 11), daveTravel, "GET", withToken("/api/models/datalab/notebook-model", "token", daveHubToken), 200, 1830, curlUA},
		// Alice revokes her token at 08:15 (hub audit log); the cache keeps it working.
		hubRequest{at(4, 8, 15, 2), aliceIP, "DELETE", "/api/settings/tokens/tok_alice_chatbot", 204, 0, browserUA},
		hubRequest{at(4, 11, 42, 19), attackerIP1, "GET", withToken("/api/whoami-v2", "access_token", aliceHubToken), 200, 734, vpsUA},
		hubRequest{at(4, 11, 42, 25), attackerIP1, "GET", withToken("/acme/private-model/resolve/main/config.json", "access_token", aliceHubToken), 200, 1022, vpsUA},
	)
	return baseline, window
}

func accessLogFile(reqs []hubRequest) []byte {
	sort.SliceStable(reqs, func(i, j int) bool { return reqs[i].t.Before(reqs[j].t) })
	var b strings.Builder
	for _, r := range reqs {
		b.WriteString(r.line())
		b.WriteByte('\n')
	}
	return []byte(b.String())
}
