package vaultaudit

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/breachline/breachline/normalize"
)

// toEvent fills ev from r. Vault writes time in RFC 3339 with a Z and a fraction of any length
// (trailing zeros dropped), so the zone is explicit; a re-export's zoneless time is read only in
// the examiner's --assume-tz zone (loc), and rejected without it.
func (r *record) toEvent(ev *normalize.Event, loc *time.Location) error {
	if r.Request == nil {
		return errors.New("not a Vault audit entry: no request object")
	}
	if r.Time == "" {
		return errors.New("Vault audit entry without time")
	}
	t, basis, err := parseTime(r.Time, loc)
	if err != nil {
		return err
	}
	req := r.Request
	ev.Time, ev.TimeRaw, ev.TZBasis = t, r.Time, basis
	ev.Action = req.Operation
	ev.Resource, ev.ResourceType = req.Path, req.MountType
	ev.RequestID = req.ID
	ev.SetAttr("type", r.Type)
	ev.SetAttr("error", r.Error)
	ev.SetAttr("forwarded_from", r.ForwardedFrom)
	ev.SetAttr("mount_point", req.MountPoint)
	ev.SetAttr("mount_accessor", req.MountAccessor)
	ev.SetAttr("client_id", req.ClientID)
	if ns := req.Namespace; ns != nil {
		ev.SetAttr("namespace", firstOf(ns.Path, ns.ID))
		if ns.Path != "" && req.Path != "" {
			// Paths are logged relative to the namespace; the resource names the whole path.
			ev.Resource = strings.TrimSuffix(ns.Path, "/") + "/" + req.Path
		}
	}
	peer(req, ev)

	switch {
	case r.Error != "":
		ev.Outcome = normalize.Failure
	case strings.HasSuffix(r.Type, "response"):
		ev.Outcome = normalize.Success
	default:
		ev.Outcome = normalize.Unknown // a request entry is written before Vault handles it
	}

	r.credential(ev)
	identify(r.Auth, ev)
	if resp := r.Response; resp != nil {
		if s := resp.Secret; s != nil {
			ev.SetAttr("lease_id", s.LeaseID)
		}
		if w := resp.WrapInfo; w != nil {
			if h, _ := tokenHandle(r.key, w.Token); h != "" {
				ev.SetAttr("wrap_token", h)
			}
			ev.SetAttr("wrap_accessor", accessorValue(w.Accessor))
			ev.SetAttr("wrapped_accessor", accessorValue(w.WrappedAccessor))
			ev.SetAttr("wrap_creation_path", w.CreationPath)
		}
	}
	categorize(r, ev)
	return nil
}

// credential sets the token the request presented: request.client_token, or the auth object's
// token when the request does not carry one. In the response to a login the auth object holds
// the token the login created, not one that was presented, so it is not used there.
func (r *record) credential(ev *normalize.Event) {
	req := r.Request
	tok, acc := req.ClientToken, req.ClientTokenAccessor
	if a := r.Auth; a != nil && (tok == "" || acc == "") && !r.issuedByResponse() {
		if tok == "" {
			tok = a.ClientToken
		}
		if acc == "" {
			acc = a.Accessor
		}
	}
	h, redacted := tokenHandle(r.key, tok)
	ev.Credential = h
	if redacted {
		ev.SetAttr("client_token_redacted", true)
	}
	ev.SetAttr("accessor", accessorValue(acc))
}

// issuedByResponse reports whether the auth object describes the token the response issued
// (a login), which Vault writes into both auth and response.auth.
func (r *record) issuedByResponse() bool {
	ra := r.responseAuth()
	return ra != nil && r.Auth != nil && ra.ClientToken != "" && ra.ClientToken == r.Auth.ClientToken
}

// peer sets src_ip from remote_address ("ip", "ip:port", "[v6]:port") and keeps the port, from
// remote_port when Vault logged it (1.9+) or from the address.
func peer(req *request, ev *normalize.Event) {
	ip, host := normalize.SplitAddress(req.RemoteAddress)
	ev.SrcIP = ip
	ev.SetAttr(normalize.AttrSourceHost, host)
	if p := strings.Trim(string(req.RemotePort), `"`); p != "" && p != "0" && p != "null" {
		if n, err := strconv.Atoi(p); err == nil {
			ev.SetAttr("remote_port", n)
			return
		}
	}
	if ap, err := netip.ParseAddrPort(strings.TrimSpace(req.RemoteAddress)); err == nil && ap.Port() != 0 {
		ev.SetAttr("remote_port", int(ap.Port()))
	}
}

// parseTime reads an entry's time.
func parseTime(s string, loc *time.Location) (time.Time, string, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, normalize.TZExplicit, nil
	}
	const zoneless = "2006-01-02T15:04:05.999999999"
	if _, err := time.Parse(zoneless, s); err == nil {
		if loc == nil {
			return time.Time{}, "", fmt.Errorf("time %q has no zone (pass --assume-tz to read it)", s)
		}
		t, err := normalize.ParseInZone(zoneless, s, loc)
		if err != nil {
			return time.Time{}, "", fmt.Errorf("time %q %v", s, err)
		}
		return t, normalize.TZAssumed(loc), nil
	}
	return time.Time{}, "", fmt.Errorf("time %q is not an RFC 3339 time", s)
}

func firstOf(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
