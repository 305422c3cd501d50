package main

import (
	"encoding/json"
	"fmt"
	"time"
)

var hubSeq int

func hubEvent(t time.Time, typ, user, ip string, data map[string]any) map[string]any {
	hubSeq++
	e := map[string]any{
		"_id": fmt.Sprintf("65f0%020x", hubSeq*999983), "type": typ, "createdAt": t.UTC().Format("2006-01-02T15:04:05.000Z"),
		"author": map[string]any{"_id": fmt.Sprintf("64aa%020x", len(user)*7919), "user": user, "type": "user"},
		"ip":     ip, "location": map[string]any{"formatted": "Paris, France", "city": "Paris", "country": "FR"},
		"userAgent": browserUA, "message": typ,
	}
	if data != nil {
		e["data"] = data
	}
	return e
}

// hubAudit returns the acme and datalab organizations' audit log exports, merged: routine
// changes, dave rotating his database password, and the revocation of alice's token approval.
func hubAudit() ([]byte, error) {
	repo := func(name string) map[string]any { return map[string]any{"name": name, "type": "space"} }
	es := []map[string]any{
		hubEvent(at(1, 8, 55, 0), "org.sso_login", "alice", aliceIP, nil),
		hubEvent(at(1, 9, 1, 0), "org.sso_login", "dave", daveHome, nil),
		hubEvent(at(2, 13, 58, 0), "repo.update_secret", "dave", daveHome, map[string]any{"repo": repo("datalab/notebook"), "key": "DB_PASSWORD"}),
		hubEvent(at(2, 14, 2, 0), "spaces.update_hardware", "dave", daveHome, map[string]any{"repo": repo("datalab/notebook")}),
		hubEvent(at(3, 9, 0, 0), "org.sso_login", "alice", aliceIP, nil),
		hubEvent(at(4, 8, 14, 40), "org.sso_login", "alice", aliceIP, nil),
		hubEvent(at(4, 8, 15, 2), "org.token_approval.authorization_request.revoked", "alice", aliceIP,
			map[string]any{"token": map[string]any{"id": "tok_alice_chatbot"}}),
		hubEvent(at(4, 8, 40, 0), "org.sso_login", "dave", daveTravel, nil),
	}
	return json.MarshalIndent(es, "", "  ")
}
