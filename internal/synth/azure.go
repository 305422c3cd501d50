package synth

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"
)

// Azure writes n Azure diagnostic-settings records as one export ({"records":[…]} on one line, as
// an Event Hub capture or a storage blob holds them), mixing what a tenant sends to one place:
// activity log calls, Key Vault AuditEvents, Entra sign-ins (users and service principals with
// their credential key ids) and Entra audits (credentials added and removed), times with the
// seven fractional digits Azure writes.
func Azure(w io.Writer, n int, seed int64) error {
	r := rng(seed)
	bw := bufio.NewWriterSize(w, 1<<20)
	const tenant = "8d3f9c2e-1b7a-4c5d-9e6f-0a1b2c3d4e5f"
	const sub = "2b7e4f1a-9c3d-4e8b-a6f5-1d2c3b4a5e6f"
	users := make([]string, 200)
	oids := make([]string, 200)
	for i := range users {
		users[i] = fmt.Sprintf("user%03d@contoso.com", i)
		oids[i] = guid(r)
	}
	apps := make([]string, 50)
	keys := make([]string, 50)
	for i := range apps {
		apps[i], keys[i] = guid(r), guid(r)
	}
	ops := []string{
		"MICROSOFT.COMPUTE/VIRTUALMACHINES/WRITE", "MICROSOFT.COMPUTE/VIRTUALMACHINES/START/ACTION",
		"MICROSOFT.STORAGE/STORAGEACCOUNTS/LISTKEYS/ACTION", "MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE",
		"MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/SECURITYRULES/WRITE", "MICROSOFT.RESOURCES/DEPLOYMENTS/WRITE",
	}
	kvOps := []string{"SecretGet", "SecretGet", "SecretList", "SecretSet", "KeyUnwrapKey", "VaultGet"}
	t := Base
	stamp := func() string { return t.Format("2006-01-02T15:04:05.0000000Z") }
	bw.WriteString(`{"records":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			bw.WriteByte(',')
		}
		t = t.Add(time.Duration(r.IntN(2_000_000)) * time.Microsecond)
		u := r.IntN(len(users))
		a := r.IntN(len(apps))
		ip := ipv4(r, 5000)
		var rec map[string]any
		switch k := r.IntN(20); {
		case k < 8: // activity log
			op := pick(r, ops)
			rec = map[string]any{
				"time": stamp(), "operationName": op, "category": "Administrative",
				"resourceId":      fmt.Sprintf("/SUBSCRIPTIONS/%s/RESOURCEGROUPS/RG-%02d/PROVIDERS/%s/RES-%04d", strings.ToUpper(sub), r.IntN(20), strings.Join(strings.Split(op, "/")[:2], "/"), r.IntN(2000)),
				"resultType":      pick(r, []string{"Start", "Success", "Success", "Failure"}),
				"resultSignature": "Succeeded.OK", "durationMs": "120", "callerIpAddress": ip,
				"correlationId": guid(r), "level": "Information", "location": "global",
				"identity": map[string]any{"claims": map[string]any{
					"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn":     users[u],
					"http://schemas.microsoft.com/identity/claims/objectidentifier": oids[u],
					"appid": "04b07795-8ddb-461a-bbee-02f9e1bf7b46", "ipaddr": ip, "idtyp": "user",
				}},
				"properties": map[string]any{"statusCode": "OK", "eventCategory": "Administrative"},
			}
		case k < 12: // Key Vault
			vault := fmt.Sprintf("kv-%02d", r.IntN(30))
			secret := fmt.Sprintf("secret-%03d", r.IntN(300))
			status := pick(r, []int{200, 200, 200, 200, 403})
			rec = map[string]any{
				"time": stamp(), "category": "AuditEvent", "operationName": pick(r, kvOps), "resultType": "Success",
				"resultSignature": map[int]string{200: "OK", 403: "Forbidden"}[status], "durationMs": "9",
				"callerIpAddress": ip, "correlationId": guid(r), "operationVersion": "7.4",
				"resourceId": fmt.Sprintf("/SUBSCRIPTIONS/%s/RESOURCEGROUPS/RG-KV/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/%s", strings.ToUpper(sub), strings.ToUpper(vault)),
				"identity":   map[string]any{"claim": map[string]any{"appid": apps[a], "http://schemas.microsoft.com/identity/claims/objectidentifier": guid(r)}},
				"properties": map[string]any{
					"id":             fmt.Sprintf("https://%s.vault.azure.net/secrets/%s/%s", vault, secret, hexID(r, 32)),
					"requestUri":     fmt.Sprintf("https://%s.vault.azure.net/secrets/%s/?api-version=7.4", vault, secret),
					"httpStatusCode": status, "clientInfo": "azsdk-python-keyvault-secrets/4.8.0 Python/3.11.8",
					"isRbacAuthorized": status == 200,
				},
			}
		case k < 17: // Entra sign-ins
			rec = signInRecord(r, stamp(), tenant, users[u], oids[u], apps[a], keys[a], ip)
		case k < 19: // Entra audit: a credential added or removed
			rec = auditRecord(r, stamp(), tenant, users[u], oids[u], apps[a], keys[a], ip)
		default: // storage
			rec = map[string]any{
				"time": stamp(), "category": "StorageRead", "operationName": "GetBlob",
				"resourceId": fmt.Sprintf("/subscriptions/%s/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/stdata%02d/blobServices/default", sub, r.IntN(10)),
				"statusCode": pick(r, []int{200, 200, 404}), "callerIpAddress": ip + ":443", "correlationId": guid(r),
				"identity":   map[string]any{"type": "OAuth", "requester": map[string]any{"upn": users[u], "objectId": oids[u]}},
				"uri":        fmt.Sprintf("https://stdata.blob.core.windows.net/c/%s.csv", hexID(r, 8)),
				"properties": map[string]any{"objectKey": fmt.Sprintf("/stdata/c/%s.csv", hexID(r, 8)), "userAgentHeader": "azcopy/10.24.0"},
			}
		}
		b, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		bw.Write(b)
	}
	bw.WriteString("]}\n")
	return bw.Flush()
}

func signInRecord(r *rand.Rand, ts, tenant, upn, oid, app, key, ip string) map[string]any {
	code := pick(r, []int{0, 0, 0, 0, 50126, 50074})
	rec := map[string]any{
		"time": ts, "resourceId": "/tenants/" + tenant + "/providers/Microsoft.aadiam", "operationName": "Sign-in activity",
		"operationVersion": "1.0", "tenantId": tenant, "resultType": fmt.Sprint(code), "resultSignature": "None",
		"durationMs": 0, "callerIpAddress": ip, "correlationId": guid(r), "Level": 4, "location": "NL",
	}
	props := map[string]any{
		"id": guid(r), "createdDateTime": strings.Replace(ts, "Z", "+00:00", 1), "appId": app, "ipAddress": ip,
		"correlationId": rec["correlationId"], "status": map[string]any{"errorCode": code}, "isInteractive": false,
		"resourceDisplayName": "Azure Key Vault", "resourceId": "cfa8b339-82a2-471a-a3c9-0fc0be7a4093",
	}
	if r.IntN(2) == 0 {
		rec["category"], rec["identity"] = "SignInLogs", upn
		props["userPrincipalName"], props["userId"], props["isInteractive"] = upn, oid, true
		props["userAgent"] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/122.0.0.0 Safari/537.36"
	} else {
		rec["category"], rec["identity"], rec["resultType"] = "ServicePrincipalSignInLogs", "app-"+app[:8], "0"
		props["status"] = map[string]any{"errorCode": 0}
		props["servicePrincipalId"], props["servicePrincipalCredentialKeyId"] = guid(r), key
	}
	rec["properties"] = props
	return rec
}

func auditRecord(r *rand.Rand, ts, tenant, upn, oid, app, key, ip string) map[string]any {
	activity, old, cur := "Add service principal credentials", "[]", fmt.Sprintf(`["[KeyIdentifier=%s,KeyType=Password,KeyUsage=Verify,DisplayName=ci]"]`, key)
	if r.IntN(3) == 0 {
		activity, old, cur = "Remove service principal credentials", cur, "[]"
	}
	return map[string]any{
		"time": ts, "resourceId": "/tenants/" + tenant + "/providers/Microsoft.aadiam", "operationName": activity,
		"operationVersion": "1.0", "category": "AuditLogs", "tenantId": tenant, "resultSignature": "None",
		"callerIpAddress": ip, "correlationId": guid(r), "Level": 4,
		"properties": map[string]any{
			"id": "Directory_" + guid(r), "category": "ApplicationManagement", "result": "success",
			"activityDisplayName": activity, "activityDateTime": ts, "loggedByService": "Core Directory", "operationType": "Update",
			"initiatedBy": map[string]any{"user": map[string]any{"id": oid, "userPrincipalName": upn, "ipAddress": ip}},
			"targetResources": []any{map[string]any{"id": guid(r), "displayName": "app-" + app[:8], "type": "ServicePrincipal",
				"modifiedProperties": []any{map[string]any{"displayName": "KeyDescription", "oldValue": old, "newValue": cur}}}},
		},
	}
}

// guid returns a random lower-case GUID.
func guid(r *rand.Rand) string {
	h := hexID(r, 32)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
