package normalize

import "strings"

// QueryCredential returns the handle of the credential a request's query string presented: the
// first credential value Redact finds in it (a credential-named parameter, a JWT, a vendor-prefixed
// token; values are percent-decoded before hashing), or "" when it holds none. The handle is
// key's (case-hmac:), or the unkeyed sha256: one when key is nil, which the case's key turns into
// the same case-hmac: handle (HandleKey.Keyed).
//
// Text access logs (ingest/accesslog) and the JSON access-log mappings (the query_credential
// transform of ingest/mapped) both take a request's credential this way, so one request gives the
// same credential from either kind of log. Only the query counts: a token in the path or the
// referrer was not presented to the server as the request's credential.
func QueryCredential(key *HandleKey, query string) string {
	if query == "" {
		return ""
	}
	if _, handles := key.Redact(query); len(handles) > 0 {
		return handles[0]
	}
	return ""
}

// RequestQuery returns the query of a request target or URL as logged: the text after the first
// '?' (a fragment, which clients do not send but logs may hold, stays part of it), "" when there
// is none.
func RequestQuery(target string) string {
	if _, q, ok := strings.Cut(target, "?"); ok {
		return q
	}
	return ""
}
