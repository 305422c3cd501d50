package main

import (
	"encoding/json"
	"fmt"
	"time"
)

var gcpSeq int

// gcpEntry builds one Cloud Audit Logs entry as `gcloud logging read --format=json` prints it.
func gcpEntry(t time.Time, kind, service, method, resource, ip, ua, key string, request, response map[string]any) map[string]any {
	gcpSeq++
	auth := map[string]any{"principalEmail": gcpSA}
	if key != "" {
		auth["serviceAccountKeyName"] = "//iam.googleapis.com/" + gcpKeyName(key)
	}
	p := map[string]any{
		"@type": "type.googleapis.com/google.cloud.audit.AuditLog", "status": map[string]any{},
		"authenticationInfo": auth, "requestMetadata": map[string]any{"callerIp": ip, "callerSuppliedUserAgent": ua},
		"serviceName": service, "methodName": method, "resourceName": resource,
	}
	if request != nil {
		p["request"] = request
	}
	if response != nil {
		p["response"] = response
	}
	return map[string]any{
		"protoPayload": p, "insertId": fmt.Sprintf("1a2b3c%06d", gcpSeq),
		"resource":         map[string]any{"type": "gcs_bucket", "labels": map[string]any{"project_id": gcpProject, "bucket_name": "datalab-vision-raw"}},
		"timestamp":        t.UTC().Format("2006-01-02T15:04:05.000000000Z"),
		"receiveTimestamp": t.UTC().Add(312 * time.Millisecond).Format("2006-01-02T15:04:05.000000000Z"),
		"severity":         "INFO",
		"logName":          "projects/" + gcpProject + "/logs/cloudaudit.googleapis.com%2F" + kind,
	}
}

// gcpAudit returns datalab's Cloud Audit Logs: the vision pipeline reading its bucket with the
// service account key stored in the Space, the intruder doing the same from elsewhere and
// minting a second key with the first, and the key's deletion the next morning.
func gcpAudit() ([]byte, error) {
	object := func(name string) string { return "projects/_/buckets/datalab-vision-raw/objects/" + name }
	var es []map[string]any
	for day := 1; day <= 2; day++ {
		es = append(es,
			gcpEntry(at(day, 7, 15, 0), "data_access", "storage.googleapis.com", "storage.objects.list", "projects/_/buckets/datalab-vision-raw", visionPipeline, gcloudUA, gcpKey1, nil, nil),
			gcpEntry(at(day, 7, 15, 9), "data_access", "storage.googleapis.com", "storage.objects.get", object(fmt.Sprintf("batches/2026-03-0%d.tar", day)), visionPipeline, gcloudUA, gcpKey1, nil, nil),
		)
	}
	sa := "projects/-/serviceAccounts/" + gcpSA
	es = append(es,
		gcpEntry(at(3, 5, 0, 12), "data_access", "storage.googleapis.com", "storage.objects.list", "projects/_/buckets/datalab-vision-raw", attackerIP3, attackerGCPUA, gcpKey1, nil, nil),
		gcpEntry(at(3, 5, 1, 40), "data_access", "storage.googleapis.com", "storage.objects.get", object("labels/customers.csv"), attackerIP3, attackerGCPUA, gcpKey1, nil, nil),
		gcpEntry(at(3, 5, 3, 2), "activity", "iam.googleapis.com", "google.iam.admin.v1.CreateServiceAccountKey", sa, attackerIP3, attackerGCPUA, gcpKey1,
			map[string]any{"@type": "type.googleapis.com/google.iam.admin.v1.CreateServiceAccountKeyRequest", "name": sa},
			map[string]any{"@type": "type.googleapis.com/google.iam.admin.v1.ServiceAccountKey", "name": gcpKeyName(gcpKey2), "key_algorithm": 2, "key_origin": 2}),
		gcpEntry(at(3, 5, 9, 30), "data_access", "storage.googleapis.com", "storage.objects.get", object("labels/faces.parquet"), attackerIP3, attackerGCPUA, gcpKey2, nil, nil),
		gcpEntry(at(3, 7, 15, 0), "data_access", "storage.googleapis.com", "storage.objects.list", "projects/_/buckets/datalab-vision-raw", visionPipeline, gcloudUA, gcpKey1, nil, nil),
	)
	del := gcpEntry(at(4, 10, 30, 0), "activity", "iam.googleapis.com", "google.iam.admin.v1.DeleteServiceAccountKey", gcpKeyName(gcpKey1), "192.0.2.61", gcloudUA, "",
		map[string]any{"@type": "type.googleapis.com/google.iam.admin.v1.DeleteServiceAccountKeyRequest", "name": gcpKeyName(gcpKey1)}, nil)
	del["protoPayload"].(map[string]any)["authenticationInfo"] = map[string]any{"principalEmail": "erin@datalab.example"}
	es = append(es, del)
	for i := 1; i < len(es); i++ {
		for j := i; j > 0 && es[j]["timestamp"].(string) < es[j-1]["timestamp"].(string); j-- {
			es[j], es[j-1] = es[j-1], es[j]
		}
	}
	return json.MarshalIndent(es, "", "  ")
}
