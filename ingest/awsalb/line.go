package awsalb

import (
	"strconv"
	"strings"

	"github.com/breachline/breachline/normalize"
)

// Field positions in an ALB access-log line, in the order AWS documents them.
const (
	fType = iota
	fTime
	fELB
	fClient
	fTarget
	fRequestProcessingTime
	fTargetProcessingTime
	fResponseProcessingTime
	fELBStatusCode
	fTargetStatusCode
	fReceivedBytes
	fSentBytes
	fRequest
	fUserAgent
	fSSLCipher
	fSSLProtocol
	fTargetGroupARN
	fTraceID
	fDomainName
	fChosenCertARN
	fMatchedRulePriority
	fRequestCreationTime
	fActionsExecuted
	fRedirectURL
	fErrorReason
	fTargetList
	fTargetStatusCodeList
	fClassification
	fClassificationReason
	fConnTraceID
	// nKnown is the number of documented fields; later ones are kept in attrs.extra.
	nKnown
)

// minFields is the shortest line read: through ssl_protocol, which every ALB log since the
// service's launch has had. Fields after it are read when present.
const minFields = fSSLProtocol + 1

// parser holds the buffers reused from line to line.
type parser struct {
	f   []string
	key *normalize.HandleKey
}

// split cuts line into its fields: runs of non-space bytes, or "…" strings in which a '"'
// after a backslash belongs to the value. The reason is non-empty when the line is not an ALB
// line's shape.
func (p *parser) split(line string) (reason string) {
	p.f = p.f[:0]
	i := 0
	for i < len(line) {
		if line[i] == ' ' {
			i++
			continue
		}
		if line[i] != '"' {
			j := strings.IndexByte(line[i:], ' ')
			if j < 0 {
				j = len(line) - i
			}
			p.f = append(p.f, line[i:i+j])
			i += j
			continue
		}
		start := i + 1
		k := start
		for ; k < len(line); k++ {
			if line[k] == '\\' {
				k++
				continue
			}
			if line[k] == '"' {
				break
			}
		}
		if k >= len(line) {
			return "unterminated quoted field " + fieldName(len(p.f))
		}
		p.f = append(p.f, unescape(line[start:k]))
		i = k + 1
		if i < len(line) && line[i] != ' ' {
			return "text after the closing quote of field " + fieldName(len(p.f)-1)
		}
	}
	if len(p.f) < minFields {
		return "ALB access-log line has " + strconv.Itoa(len(p.f)) + " fields; at least " + strconv.Itoa(minFields) + " expected"
	}
	return ""
}

// looksALB is Detect's test of a split line: a request type ALB writes, a time in the shape it
// writes, and an Application Load Balancer's resource id.
func (p *parser) looksALB() bool {
	if !knownType(p.f[fType]) || !strings.HasPrefix(p.f[fELB], "app/") {
		return false
	}
	t := p.f[fTime]
	return len(t) >= 20 && t[4] == '-' && t[7] == '-' && t[10] == 'T'
}

// knownType reports whether s is one of the request types AWS documents.
func knownType(s string) bool {
	switch s {
	case "http", "https", "h2", "grpcs", "ws", "wss":
		return true
	}
	return false
}

// fieldNames name the fields in messages.
var fieldNames = [nKnown]string{
	"type", "time", "elb", "client:port", "target:port", "request_processing_time",
	"target_processing_time", "response_processing_time", "elb_status_code", "target_status_code",
	"received_bytes", "sent_bytes", "request", "user_agent", "ssl_cipher", "ssl_protocol",
	"target_group_arn", "trace_id", "domain_name", "chosen_cert_arn", "matched_rule_priority",
	"request_creation_time", "actions_executed", "redirect_url", "error_reason", "target:port_list",
	"target_status_code_list", "classification", "classification_reason", "conn_trace_id",
}

func fieldName(i int) string {
	if i < nKnown {
		return fieldNames[i]
	}
	return strconv.Itoa(i+1) + " (after conn_trace_id)"
}

// unescape decodes \" and \\ inside a quoted field, the escapes that let a quote stand in one;
// a backslash before anything else is kept as logged.
func unescape(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
			i++
		}
		b = append(b, s[i])
	}
	return string(b)
}
