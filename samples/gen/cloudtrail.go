package main

import (
	"encoding/json"
	"fmt"
	"time"
)

// ctEvent builds one CloudTrail record.
type ctEvent map[string]any

const account = "111122223333"

func iamUser(name, keyID string) map[string]any {
	return map[string]any{"type": "IAMUser", "principalId": "AIDAHUBEXAMPLE" + fmt.Sprintf("%06d", len(name)),
		"arn": "arn:aws:iam::" + account + ":user/" + name, "accountId": account, "accessKeyId": keyID, "userName": name}
}

func assumedRole(role, session, keyID string) map[string]any {
	return map[string]any{"type": "AssumedRole", "principalId": "AROAHUBEXAMPLEROLE01:" + session,
		"arn": "arn:aws:sts::" + account + ":assumed-role/" + role + "/" + session, "accountId": account, "accessKeyId": keyID,
		"sessionContext": map[string]any{
			"sessionIssuer": map[string]any{"type": "Role", "principalId": "AROAHUBEXAMPLEROLE01",
				"arn": "arn:aws:iam::" + account + ":role/" + role, "accountId": account, "userName": role},
			"attributes": map[string]any{"creationDate": "2026-03-01T00:00:00Z", "mfaAuthenticated": "false"}}}
}

var ctSeq int

func ct(t time.Time, source, name string, who map[string]any, ip, ua string, req, resp map[string]any) ctEvent {
	ctSeq++
	e := ctEvent{
		"eventVersion": "1.09", "userIdentity": who, "eventTime": t.UTC().Format(time.RFC3339),
		"eventSource": source, "eventName": name, "awsRegion": "eu-west-1", "sourceIPAddress": ip,
		"userAgent": ua, "requestParameters": req, "responseElements": resp,
		"requestID": fmt.Sprintf("5f0c%04x-1b2c-4d3e-8f90-%012x", ctSeq, ctSeq*7919),
		"eventID":   fmt.Sprintf("e1a2%04x-3b4c-4d5e-9f60-%012x", ctSeq, ctSeq*104729),
		"readOnly":  false, "eventType": "AwsApiCall", "managementEvent": true,
		"recipientAccountId": account, "eventCategory": "Management",
	}
	return e
}

func (e ctEvent) fail(code, msg string) ctEvent {
	e["errorCode"], e["errorMessage"] = code, msg
	return e
}

func (e ctEvent) data() ctEvent {
	e["managementEvent"], e["eventCategory"] = false, "Data"
	return e
}

// cloudTrailDays returns the incident's CloudTrail records, one slice per delivery file.
func cloudTrailDays() (baseline, window []ctEvent) {
	bob := iamUser("bob-ingest", bobAWSKeyID)
	bobNew := iamUser("bob-ingest", bobAWSKeyNew)
	ciRole := assumedRole("ingest-writer", "ci", bobCITempKey)
	runtime := assumedRole("spaces-runtime", "runtime", "ASIAHUBEXAMPLERUNT01")
	bucket := func(key string) map[string]any { return map[string]any{"bucketName": "acme-ingest-data", "key": key} }

	for day := 1; day <= 2; day++ {
		baseline = append(baseline,
			ct(at(day, 6, 0, 0), "secretsmanager.amazonaws.com", "GetSecretValue", runtime, "spaces-runtime.hub.internal", botoUA,
				map[string]any{"secretId": "hub/spaces/acme/ingest"}, nil),
			ct(at(day, 7, 0, 5), "sts.amazonaws.com", "GetCallerIdentity", bob, bobCI, botoUA, nil, nil),
			ct(at(day, 7, 0, 9), "sts.amazonaws.com", "AssumeRole", bob, bobCI, botoUA,
				map[string]any{"roleArn": "arn:aws:iam::" + account + ":role/ingest-writer", "roleSessionName": "ci", "durationSeconds": 3600},
				map[string]any{"credentials": map[string]any{"accessKeyId": bobCITempKey, "expiration": "Mar 1, 2026, 8:00:09 AM"},
					"assumedRoleUser": map[string]any{"arn": "arn:aws:sts::" + account + ":assumed-role/ingest-writer/ci"}}),
			ct(at(day, 7, 2, 30), "s3.amazonaws.com", "PutObject", ciRole, bobCI, botoUA, bucket(fmt.Sprintf("raw/2026-03-0%d.jsonl", day)), nil).data(),
		)
	}
	attacker := attackerIP2
	temp := assumedRole("ingest-writer", "x", attackerTempKey)
	window = append(window,
		ct(at(3, 6, 0, 0), "secretsmanager.amazonaws.com", "GetSecretValue", runtime, "spaces-runtime.hub.internal", botoUA,
			map[string]any{"secretId": "hub/spaces/acme/ingest"}, nil),
		ct(at(3, 3, 12, 40), "sts.amazonaws.com", "GetCallerIdentity", bob, attacker, botoUA, nil, nil),
		ct(at(3, 3, 13, 2), "s3.amazonaws.com", "ListBuckets", bob, attacker, botoUA, nil, nil),
		ct(at(3, 3, 14, 11), "iam.amazonaws.com", "ListUsers", bob, attacker, botoUA, nil, nil).
			fail("AccessDenied", "User: arn:aws:iam::"+account+":user/bob-ingest is not authorized to perform: iam:ListUsers"),
		ct(at(3, 3, 15, 30), "sts.amazonaws.com", "AssumeRole", bob, attacker, botoUA,
			map[string]any{"roleArn": "arn:aws:iam::" + account + ":role/ingest-writer", "roleSessionName": "x", "durationSeconds": 3600},
			map[string]any{"credentials": map[string]any{"accessKeyId": attackerTempKey, "expiration": "Mar 3, 2026, 4:15:30 AM"},
				"assumedRoleUser": map[string]any{"arn": "arn:aws:sts::" + account + ":assumed-role/ingest-writer/x"}}),
		ct(at(3, 3, 20, 4), "s3.amazonaws.com", "ListObjects", temp, attacker, botoUA, map[string]any{"bucketName": "acme-ingest-data", "prefix": "exports/"}, nil).data(),
		ct(at(3, 3, 21, 17), "s3.amazonaws.com", "GetObject", temp, attacker, botoUA, bucket("exports/users-2026-02.parquet"), nil).data(),
		ct(at(3, 7, 0, 5), "sts.amazonaws.com", "GetCallerIdentity", bob, bobCI, botoUA, nil, nil),
		// Bob rotates his key the next morning: a new key, the old one disabled, then deleted.
		ct(at(4, 9, 0, 0), "iam.amazonaws.com", "CreateAccessKey", bob, bobCI, botoUA,
			map[string]any{"userName": "bob-ingest"},
			map[string]any{"accessKey": map[string]any{"accessKeyId": bobAWSKeyNew, "status": "Active", "userName": "bob-ingest"}}),
		ct(at(4, 9, 5, 0), "iam.amazonaws.com", "UpdateAccessKey", bobNew, bobCI, botoUA,
			map[string]any{"accessKeyId": bobAWSKeyID, "status": "Inactive", "userName": "bob-ingest"}, nil),
		ct(at(4, 9, 30, 0), "iam.amazonaws.com", "DeleteAccessKey", bobNew, bobCI, botoUA,
			map[string]any{"accessKeyId": bobAWSKeyID, "userName": "bob-ingest"}, nil),
		// The intruder tries the old key again: refused, as it should be.
		ct(at(4, 10, 0, 12), "sts.amazonaws.com", "GetCallerIdentity", bob, attacker, botoUA, nil, nil).
			fail("InvalidClientTokenId", "The security token included in the request is invalid."),
		ct(at(4, 11, 0, 0), "sts.amazonaws.com", "GetCallerIdentity", bobNew, bobCI, botoUA, nil, nil),
	)
	return baseline, window
}

// cloudTrailFile renders records as an S3 delivery file.
func cloudTrailFile(recs []ctEvent) ([]byte, error) {
	sortByTime(recs)
	return json.MarshalIndent(map[string]any{"Records": recs}, "", "  ")
}

func sortByTime(recs []ctEvent) {
	for i := 1; i < len(recs); i++ {
		for j := i; j > 0 && recs[j]["eventTime"].(string) < recs[j-1]["eventTime"].(string); j-- {
			recs[j], recs[j-1] = recs[j-1], recs[j]
		}
	}
}
