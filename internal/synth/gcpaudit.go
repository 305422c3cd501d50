package synth

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// GCPAudit writes n Cloud Audit Logs entries as a log sink to Cloud Storage writes them (JSON
// lines), with a project's mix: data access reads of storage and Secret Manager, admin activity
// on compute and IAM, service account keys created and used, GKE API calls, and the occasional
// denied call.
func GCPAudit(w io.Writer, n int, seed int64) error {
	r := rng(seed)
	bw := bufio.NewWriterSize(w, 1<<20)
	const project, number = "acme-prod", "482913755021"
	type caller struct{ email, key, ua string }
	var callers []caller
	for i := 0; i < 40; i++ {
		callers = append(callers, caller{
			email: fmt.Sprintf("svc-%02d@%s.iam.gserviceaccount.com", i, project),
			key:   fmt.Sprintf("//iam.googleapis.com/projects/%s/serviceAccounts/svc-%02d@%s.iam.gserviceaccount.com/keys/%s", project, i, project, hexID(r, 40)),
			ua:    "google-api-go-client/0.5 gdcl/0.211.0,gzip(gfe)",
		})
	}
	for _, u := range []string{"alice@example.com", "bob@example.com", "carol@example.com"} {
		callers = append(callers, caller{email: u, ua: "google-cloud-sdk gcloud/502.0.0 command/gcloud.compute.instances.list (Linux 6.8.0),gzip(gfe)"})
	}
	type call struct{ service, method, resource, log, resType string }
	calls := []call{
		{"storage.googleapis.com", "storage.objects.get", "projects/_/buckets/acme-data/objects/part-%05d.parquet", "data_access", "gcs_bucket"},
		{"storage.googleapis.com", "storage.objects.list", "projects/_/buckets/acme-data", "data_access", "gcs_bucket"},
		{"secretmanager.googleapis.com", "google.cloud.secretmanager.v1.SecretManagerService.AccessSecretVersion", "projects/" + number + "/secrets/app-%03d/versions/latest", "data_access", "audited_resource"},
		{"compute.googleapis.com", "v1.compute.instances.list", "projects/" + project + "/zones/europe-west1-b/instances", "data_access", "gce_instance"},
		{"compute.googleapis.com", "v1.compute.instances.setMetadata", "projects/" + project + "/zones/europe-west1-b/instances/vm-%03d", "activity", "gce_instance"},
		{"iam.googleapis.com", "google.iam.admin.v1.CreateServiceAccountKey", "projects/-/serviceAccounts/svc-%02d@" + project + ".iam.gserviceaccount.com", "activity", "service_account"},
		{"cloudresourcemanager.googleapis.com", "SetIamPolicy", "projects/" + project, "activity", "project"},
		{"k8s.io", "io.k8s.core.v1.secrets.get", "core/v1/namespaces/team-%02d/secrets/db", "data_access", "k8s_cluster"},
		{"k8s.io", "io.k8s.core.v1.pods.list", "core/v1/namespaces/team-%02d/pods", "data_access", "k8s_cluster"},
		{"iamcredentials.googleapis.com", "GenerateAccessToken", "projects/-/serviceAccounts/svc-%02d@" + project + ".iam.gserviceaccount.com", "data_access", "service_account"},
	}
	t := Base
	for i := 0; i < n; i++ {
		t = t.Add(time.Duration(r.IntN(3000)) * time.Millisecond)
		c := callers[r.IntN(len(callers))]
		k := pick(r, calls)
		res := k.resource
		if containsVerb(res) {
			res = fmt.Sprintf(res, r.IntN(100))
		}
		auth := map[string]any{"principalEmail": c.email}
		if c.key != "" {
			auth["serviceAccountKeyName"] = c.key
		}
		payload := map[string]any{
			"@type":              "type.googleapis.com/google.cloud.audit.AuditLog",
			"status":             map[string]any{},
			"authenticationInfo": auth,
			"requestMetadata": map[string]any{
				"callerIp": ipv4(r, 3000), "callerSuppliedUserAgent": c.ua,
				"requestAttributes": map[string]any{"time": t.Format(time.RFC3339Nano), "auth": map[string]any{}}, "destinationAttributes": map[string]any{},
			},
			"serviceName": k.service, "methodName": k.method, "resourceName": res,
			"authorizationInfo": []any{map[string]any{"resource": res, "permission": k.method, "granted": true, "resourceAttributes": map[string]any{}}},
		}
		if k.method == "google.iam.admin.v1.CreateServiceAccountKey" {
			payload["request"] = map[string]any{"@type": "type.googleapis.com/google.iam.admin.v1.CreateServiceAccountKeyRequest", "name": res, "private_key_type": 2}
			payload["response"] = map[string]any{"@type": "type.googleapis.com/google.iam.admin.v1.ServiceAccountKey", "name": res[len("projects/-/"):] + "/keys/" + hexID(r, 40), "key_algorithm": 2}
		}
		if r.IntN(40) == 0 {
			payload["status"] = map[string]any{"code": 7, "message": "PERMISSION_DENIED"}
		}
		labels := map[string]string{"project_id": project}
		if k.service == "k8s.io" {
			labels = map[string]string{"cluster_name": "prod-eu", "location": "europe-west1", "project_id": project}
		}
		entry := map[string]any{
			"protoPayload": payload, "insertId": hexID(r, 12),
			"resource":  map[string]any{"type": k.resType, "labels": labels},
			"timestamp": t.Format(time.RFC3339Nano), "severity": "INFO",
			"logName":          "projects/" + project + "/logs/cloudaudit.googleapis.com%2F" + k.log,
			"receiveTimestamp": t.Add(time.Duration(200+r.IntN(800)) * time.Millisecond).Format(time.RFC3339Nano),
		}
		b, err := json.Marshal(entry)
		if err != nil {
			return err
		}
		bw.Write(b)
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

func containsVerb(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '%' {
			return true
		}
	}
	return false
}
