package githubaudit

import (
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"github.com/breachline/breachline/normalize"
)

// toEvent fills ev from r. loc is the examiner's --assume-tz zone, or nil.
func (r *record) toEvent(ev *normalize.Event, loc *time.Location) error {
	if r.Action == "" {
		return errors.New("not a GitHub audit log event: no action")
	}
	raw := firstOf(r.Timestamp, r.CreatedAt, r.AtSignTimestamp)
	if raw == "" {
		return errors.New("GitHub audit log event without @timestamp or created_at")
	}
	t, basis, err := parseTime(raw, loc)
	if err != nil {
		return err
	}
	ev.Time, ev.TimeRaw, ev.TZBasis = t, raw, basis
	if r.Timestamp != "" && r.CreatedAt != "" && r.CreatedAt != r.Timestamp {
		ev.SetAttr("created_at", string(r.CreatedAt))
	}
	ev.Action = string(r.Action)
	ev.Outcome = normalize.Unknown
	if r.Actor != "" {
		ev.Principal, ev.PrincipalType = string(r.Actor), "user"
		if r.ActorIsBot == "true" || strings.HasSuffix(ev.Principal, "[bot]") {
			ev.PrincipalType = "bot"
		}
	}
	ip, host := normalize.SplitAddress(string(r.ActorIP))
	ev.SrcIP = ip
	ev.SetAttr(normalize.AttrSourceHost, host)
	ev.UserAgent = string(r.UserAgent)
	ev.RequestID = string(r.RequestID)
	switch repo := repoName(r); {
	case repo != "":
		ev.Resource, ev.ResourceType = repo, "repository"
	case r.Org != "":
		ev.Resource, ev.ResourceType = string(r.Org), "organization"
	case r.Business != "":
		ev.Resource, ev.ResourceType = string(r.Business), "enterprise"
	}
	if h, ok := hashedTokenHandle(string(r.HashedToken)); ok {
		ev.Credential = h
	} else {
		ev.SetAttr("hashed_token_unrecognized", string(r.HashedToken))
	}
	ev.SetAttr("document_id", string(r.DocumentID))
	ev.SetAttr("actor_id", string(r.ActorID))
	ev.SetAttr("actor_country", string(r.ActorLocation.CountryCode))
	ev.SetAttr("org", string(r.Org))
	ev.SetAttr("business", string(r.Business))
	ev.SetAttr("target_user", string(r.User))
	ev.SetAttr("operation_type", string(r.OperationType))
	ev.SetAttr("token_id", string(r.TokenID))
	ev.SetAttr("token_scopes", string(r.TokenScopes))
	ev.SetAttr("programmatic_access_type", string(r.ProgrammaticAccessType))
	ev.SetAttr("integration", string(r.Integration))
	ev.SetAttr("environment_name", string(r.EnvironmentName))
	ev.SetAttr("transport_protocol", string(r.TransportProtocolName))
	ev.SetAttr("external_identity_nameid", string(r.ExternalIdentityNameID))
	ev.SetAttr("external_identity_username", string(r.ExternalIdentityUsername))
	categorize(r, ev)
	return nil
}

// hashedTokenHandle returns the handle of hashed_token when it has the form GitHub documents:
// standard padded base64 of a 32-byte SHA-256. Any other value is not comparable with a handle
// computed from a token (normalize.GitHubHashedTokenHandle), so it is kept in attrs instead.
func hashedTokenHandle(v string) (string, bool) {
	if len(v) != 44 || v[43] != '=' {
		return "", false
	}
	var sum [33]byte
	n, err := base64.StdEncoding.Decode(sum[:], []byte(v))
	if err != nil || n != 32 {
		return "", false
	}
	return normalize.Handle(normalize.SchemeGitHubHashedToken, v), true
}

func firstOf(vs ...text) string {
	for _, v := range vs {
		if v != "" {
			return string(v)
		}
	}
	return ""
}
