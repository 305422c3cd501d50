package synth

import (
	"bufio"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"time"
)

// githubAuditEvent is one generated GitHub audit log entry, in the streaming format's field
// order.
type githubAuditEvent struct {
	Timestamp     int64  `json:"@timestamp"`
	DocumentID    string `json:"_document_id"`
	Action        string `json:"action"`
	Actor         string `json:"actor"`
	ActorID       int64  `json:"actor_id"`
	ActorIP       string `json:"actor_ip,omitempty"`
	ActorLocation *struct {
		CountryCode string `json:"country_code"`
	} `json:"actor_location,omitempty"`
	Business               string `json:"business"`
	CreatedAt              int64  `json:"created_at"`
	HashedToken            string `json:"hashed_token,omitempty"`
	Key                    string `json:"key,omitempty"`
	OperationType          string `json:"operation_type"`
	Org                    string `json:"org"`
	ProgrammaticAccessType string `json:"programmatic_access_type,omitempty"`
	Repo                   string `json:"repo,omitempty"`
	Repository             string `json:"repository,omitempty"`
	TokenID                int64  `json:"token_id,omitempty"`
	TokenScopes            string `json:"token_scopes,omitempty"`
	TransportProtocolName  string `json:"transport_protocol_name,omitempty"`
	UserAgent              string `json:"user_agent,omitempty"`
}

// githubAuditEvents calls emit with n generated entries: the mix of an enterprise organization's
// day (Git clones and fetches with tokens, pushes, repository and team administration, Actions
// secret changes, token grants and revocations, SSO sign-ins).
func githubAuditEvents(n int, seed int64, emit func(*githubAuditEvent) error) error {
	r := rng(seed)
	actors := make([]string, 150)
	tokens := make([]string, len(actors))
	for i := range actors {
		actors[i] = fmt.Sprintf("dev-%03d", i)
		sum := sha256.Sum256([]byte("ghp_" + upperID(r, 36)))
		tokens[i] = base64.StdEncoding.EncodeToString(sum[:])
	}
	type act struct{ action, op string }
	acts := []act{
		{"git.clone", "access"}, {"git.clone", "access"}, {"git.fetch", "access"}, {"git.push", "modify"},
		{"repo.create", "create"}, {"repo.update_actions_secret", "modify"}, {"repo.create_actions_secret", "create"},
		{"org.update_member", "modify"}, {"team.add_member", "modify"}, {"personal_access_token.access_granted", "create"},
		{"org.sso_response", "authentication"}, {"pull_request.merge", "modify"}, {"workflows.completed_workflow_run", "modify"},
	}
	countries := []string{"NL", "DE", "US", "GB", "FR"}
	t := Base
	for i := 0; i < n; i++ {
		t = t.Add(time.Duration(r.IntN(800)) * time.Millisecond)
		a := pick(r, acts)
		u := r.IntN(len(actors))
		ms := t.UnixMilli()
		e := &githubAuditEvent{
			Timestamp: ms, CreatedAt: ms, DocumentID: githubDocID(r), Action: a.action, Actor: actors[u],
			ActorID: int64(10000 + u), Business: "acme", Org: "acme-corp", OperationType: a.op,
			UserAgent: pick(r, []string{"git/2.43.0", "GitHub CLI 2.45.0", "Mozilla/5.0 (X11; Linux x86_64) Firefox/124.0", "python-requests/2.31.0"}),
		}
		if r.IntN(3) > 0 {
			e.ActorIP = ipv4(r, 3000)
			e.ActorLocation = &struct {
				CountryCode string `json:"country_code"`
			}{pick(r, countries)}
		}
		repo := fmt.Sprintf("acme-corp/service-%03d", r.IntN(400))
		switch a.action {
		case "git.clone", "git.fetch", "git.push":
			e.Repository, e.TransportProtocolName = repo, pick(r, []string{"http", "ssh"})
			if e.TransportProtocolName == "http" {
				e.HashedToken, e.TokenID = tokens[u], int64(900000+u)
				e.ProgrammaticAccessType, e.TokenScopes = "Personal access token (classic)", "repo,workflow"
			}
		case "repo.update_actions_secret", "repo.create_actions_secret":
			e.Repo, e.Key = repo, pick(r, []string{"NPM_TOKEN", "AWS_SECRET_ACCESS_KEY", "DEPLOY_KEY", "SLACK_WEBHOOK"})
		case "org.update_member", "org.sso_response", "personal_access_token.access_granted":
		default:
			e.Repo = repo
		}
		if err := emit(e); err != nil {
			return err
		}
	}
	return nil
}

// GitHubAudit writes n GitHub audit log entries in the streaming format (JSON lines, epoch
// milliseconds).
func GitHubAudit(w io.Writer, n int, seed int64) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	err := githubAuditEvents(n, seed, func(e *githubAuditEvent) error {
		b, err := json.Marshal(e)
		if err != nil {
			return err
		}
		bw.Write(b)
		return bw.WriteByte('\n')
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

// GitHubAuditCSV writes the same n entries as GitHubAudit in the CSV export's form: a header
// row, then one row per entry, actor_location flattened to actor_location.country_code.
func GitHubAuditCSV(w io.Writer, n int, seed int64) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	cw := csv.NewWriter(bw)
	header := []string{"@timestamp", "_document_id", "action", "actor", "actor_id", "actor_ip",
		"actor_location.country_code", "business", "created_at", "hashed_token", "key", "operation_type",
		"org", "programmatic_access_type", "repo", "repository", "token_id", "token_scopes",
		"transport_protocol_name", "user_agent"}
	if err := cw.Write(header); err != nil {
		return err
	}
	row := make([]string, len(header))
	err := githubAuditEvents(n, seed, func(e *githubAuditEvent) error {
		country := ""
		if e.ActorLocation != nil {
			country = e.ActorLocation.CountryCode
		}
		tokenID := ""
		if e.TokenID != 0 {
			tokenID = strconv.FormatInt(e.TokenID, 10)
		}
		row = append(row[:0], strconv.FormatInt(e.Timestamp, 10), e.DocumentID, e.Action, e.Actor,
			strconv.FormatInt(e.ActorID, 10), e.ActorIP, country, e.Business, strconv.FormatInt(e.CreatedAt, 10),
			e.HashedToken, e.Key, e.OperationType, e.Org, e.ProgrammaticAccessType, e.Repo, e.Repository,
			tokenID, e.TokenScopes, e.TransportProtocolName, e.UserAgent)
		return cw.Write(row)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// githubDocID returns a _document_id-like value (22 base64 characters).
func githubDocID(r *rand.Rand) string {
	b := make([]byte, 16)
	for i := range b {
		b[i] = byte(r.IntN(256))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
