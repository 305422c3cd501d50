package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// A random incident: for the test that the correlator keeps proven misuse apart from possible
// misuse on incidents it was not written against. AWS keys sit in Secrets Manager, GitHub tokens
// in Vault, hub tokens in Kubernetes secrets, each read every morning by its consumer and used
// every day by its owner. The intruder reads a random subset and uses some; some owners travel
// after the routine read; some work from a second address first seen inside the window, before
// the routine read; and the intruder may read one more secret with the Vault runtime's own
// token, from one of its addresses. The truth follows from the construction.
type randomTruth struct {
	Misused         map[string]string // credential handle (sha256: for raw values) → first misuse
	PossiblyMisused []string
	Exposed         []string
	PossiblyExposed []string
}

const (
	intruderReadIP = attackerIP1 // the indicator
	awsReaderUA    = "aws-cli/2.15.0 Python/3.11.6 Linux/6.1.0"
	kubectlUA      = "kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819"
)

// The intruder's other addresses: none is an indicator.
var intruderUseIPs = []string{attackerIP2, attackerIP3, attackerIP4, "203.0.113.120"}

func writeRandom(dir string, seed uint64, noise int) (*randomTruth, error) {
	ctSeq, vaultSeq, k8sSeq, hubSeq, ghSeq, gcpSeq = 0, 0, 0, 0, 0, 0
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	tr := &randomTruth{Misused: map[string]string{}}
	var cts []ctEvent
	var vault []vaultEntry
	var k8s []k8sRequest
	var gh []map[string]any
	var hub []hubRequest
	var inv [][]string
	runtimeAWS := assumedRole("spaces-runtime", "runtime", "ASIAHUBEXAMPLERUNT01")
	const awsConsumer = "arn:aws:sts::111122223333:assumed-role/spaces-runtime/runtime"
	const launcher = "system:serviceaccount:spaces-system:launcher"
	minute := func(day, hour int) time.Time { return at(day, hour, r.IntN(60), r.IntN(60)) }

	type cred struct {
		kind, handle, raw, secret string
		read                      func(t time.Time, ip string, intruder bool)
		use                       func(t time.Time, ip string, intruder, refused bool)
	}
	n := 9 + r.IntN(7)
	var vaultCreds []int
	creds := make([]cred, n)
	for i := range creds {
		c := &creds[i]
		space := fmt.Sprintf("s%02d", i)
		switch i % 3 {
		case 0: // an AWS key in Secrets Manager
			key := fmt.Sprintf("AKIARANDOM%010d", i)
			user := iamUser("svc-"+space, key)
			c.kind, c.handle, c.secret = "aws", "aws-key-id:"+key, "aws-sm:rand/"+space
			inv = append(inv, []string{c.secret, c.handle, space + "@rand.example", awsConsumer})
			c.read = func(t time.Time, ip string, intruder bool) {
				who, ua := runtimeAWS, botoUA
				if intruder {
					who, ua = iamUser("mallory", "AKIARANDOMMALLORY001"), awsReaderUA
				}
				cts = append(cts, ct(t, "secretsmanager.amazonaws.com", "GetSecretValue", who, ip, ua, map[string]any{"secretId": "rand/" + space}, nil))
			}
			c.use = func(t time.Time, ip string, intruder, refused bool) {
				ua := botoUA
				if intruder {
					ua = vpsUA
				}
				e := ct(t, "sts.amazonaws.com", "GetCallerIdentity", user, ip, ua, nil, nil)
				if refused {
					e = e.fail("AccessDenied", "not authorized")
				}
				cts = append(cts, e)
			}
		case 1: // a GitHub token in Vault
			c.raw = fmt.Sprintf("ghp_rAnDoMtOkEn%02dabcdefghijklmnopqrstuvw", i)
			c.kind, c.handle, c.secret = "gh", sha(c.raw), "vault:spaces/rand/"+space
			inv = append(inv, []string{c.secret, "raw:" + c.raw, space + "@rand.example", "spaces-runtime"})
			vaultCreds = append(vaultCreds, i)
			c.read = func(t time.Time, ip string, intruder bool) {
				role, token := "spaces-runtime", runtimeVaultHMAC
				if intruder {
					role, token = "spaces-builder", builderVaultHMAC
				}
				vault = append(vault, vaultEntry{t, "read", "spaces/data/rand/" + space, role, token, ip, ""})
			}
			c.use = func(t time.Time, ip string, intruder, _ bool) {
				ua := ghUA
				if intruder {
					ua = attackerGitUA
				}
				gh = append(gh, ghEntry(t, "git.fetch", "dev-"+space, ip, "rand/"+space, ua, c.raw))
			}
		default: // a hub token in a Kubernetes secret
			c.raw = fmt.Sprintf("hf_rAnDoMhUbToKeN%02dqwertyuiopasdfghjklzx", i)
			c.kind, c.handle, c.secret = "hub", sha(c.raw), "k8s:spaces-rand/"+space
			inv = append(inv, []string{c.secret, "raw:" + c.raw, space + "@rand.example", launcher})
			c.read = func(t time.Time, ip string, intruder bool) {
				user, jti, ua := launcher, launcherJTI, "launcher/1.8.2"
				if intruder {
					user, jti, ua = "system:serviceaccount:spaces-build:builder", builderJTI, kubectlUA
				}
				k8s = append(k8s, k8sRequest{t, "get", "spaces-rand", space, user, jti, ip, ua, 200})
			}
			c.use = func(t time.Time, ip string, intruder, _ bool) {
				ua := curlUA
				if intruder {
					ua = vpsUA
				}
				hub = append(hub, hubRequest{t, ip, "GET", withToken("/api/whoami-v2", "access_token", c.raw), 200, 734, ua})
			}
		}
	}
	consumerIP := map[string]string{"aws": "10.40.7.1", "gh": "10.40.3.17", "hub": "10.40.0.5"}
	var misuseIPs []string
	stolenTarget := -1
	if len(vaultCreds) > 0 && r.IntN(2) == 0 {
		stolenTarget = vaultCreds[r.IntN(len(vaultCreds))]
	}
	for i := range creds {
		c := &creds[i]
		home := fmt.Sprintf("198.51.100.%d", 100+i)
		readAt := map[int]time.Time{}
		for day := 1; day <= 4; day++ {
			readAt[day] = minute(day, 6)
			c.read(readAt[day], consumerIP[c.kind], false)
			c.use(minute(day, 9+r.IntN(8)), home, false, false)
		}
		role := r.IntN(10)
		switch {
		case i == stolenTarget:
			// Read with the runtime's token below; the owner goes on as usual.
		case role < 4: // the intruder reads the secret
			t := minute(3, 1+r.IntN(4))
			c.read(t, intruderReadIP, true)
			if r.IntN(3) > 0 {
				ip := intruderUseIPs[r.IntN(len(intruderUseIPs))]
				first := t.Add(time.Duration(5+r.IntN(600)) * time.Minute)
				if c.kind == "aws" && r.IntN(2) == 0 { // a refused try first: an attempt, not misuse
					c.use(first, ip, true, true)
					first = first.Add(time.Duration(1+r.IntN(30)) * time.Second)
				}
				c.use(first, ip, true, false)
				c.use(first.Add(time.Duration(1+r.IntN(3000))*time.Second), ip, true, false)
				tr.Misused[c.handle] = first.UTC().Format("2006-01-02T15:04:05.000000000Z")
				misuseIPs = append(misuseIPs, ip)
			} else {
				tr.Exposed = append(tr.Exposed, c.handle)
			}
			if r.IntN(3) == 0 { // a second usual address, first seen in the window before the exposure
				second := fmt.Sprintf("192.0.2.%d", 200+i)
				c.use(t.Add(-time.Duration(1+r.IntN(50))*time.Minute), second, false, false)
				c.use(minute(4, 15), second, false, false)
			}
		case role < 7: // the owner travels after the routine read
			c.use(readAt[3].Add(time.Duration(1+r.IntN(40))*time.Hour), fmt.Sprintf("192.0.2.%d", 100+i), false, false)
			tr.PossiblyMisused = append(tr.PossiblyMisused, c.handle)
		case role < 9: // a second usual address, first seen in the window before the routine read
			second := fmt.Sprintf("192.0.2.%d", 200+i)
			c.use(at(3, 0, 10+r.IntN(40), r.IntN(60)), second, false, false)
			c.use(minute(4, 18), second, false, false)
			tr.PossiblyExposed = append(tr.PossiblyExposed, c.handle)
		default:
			tr.PossiblyExposed = append(tr.PossiblyExposed, c.handle)
		}
	}
	if stolenTarget >= 0 {
		c := &creds[stolenTarget]
		if len(misuseIPs) == 0 {
			// No address of the intruder's is known: the runtime's read looks routine.
			tr.PossiblyExposed = append(tr.PossiblyExposed, c.handle)
		} else {
			t := minute(3, 12)
			from := misuseIPs[r.IntN(len(misuseIPs))]
			vault = append(vault, vaultEntry{t, "read", "spaces/data/" + strings.TrimPrefix(c.secret, "vault:spaces/"), "spaces-runtime", runtimeVaultHMAC, from, ""})
			first := t.Add(time.Duration(10+r.IntN(300)) * time.Minute)
			c.use(first, "203.0.113.77", true, false)
			tr.Misused[c.handle] = first.UTC().Format("2006-01-02T15:04:05.000000000Z")
		}
	}

	files := map[string][]byte{}
	var err error
	if files["logs/cloudtrail/rand.json"], err = cloudTrailFile(cts); err != nil {
		return nil, err
	}
	sortBy(vault, func(e vaultEntry) time.Time { return e.t })
	var vl []string
	for _, e := range vault {
		vl = append(vl, e.lines()...)
	}
	files["logs/vault/audit.log"] = lines(vl)
	sortBy(k8s, func(e k8sRequest) time.Time { return e.t })
	var kl []string
	for _, e := range k8s {
		kl = append(kl, e.lines()...)
	}
	files["logs/k8s/audit.log"] = lines(kl)
	sortMaps(gh, "@timestamp")
	if files["logs/github/audit.json"], err = json.MarshalIndent(gh, "", "  "); err != nil {
		return nil, err
	}
	files["logs/hub-api/access.log"] = accessLogFile(hub)
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write([]string{"secret_ref", "credential", "owner", "consumers"})
	w.WriteAll(inv)
	files["inventory.csv"] = []byte(b.String())
	files["iocs.csv"] = indicatorsCSV()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, body, 0o644); err != nil {
			return nil, err
		}
	}
	if noise > 0 {
		return tr, writeNoise(filepath.Join(dir, "logs", "noise"), noise, int64(seed))
	}
	return tr, nil
}
