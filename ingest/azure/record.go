package azure

import (
	"bytes"
	"reflect"

	"github.com/breachline/breachline/ingest/internal/jsondec"
)

// fieldsOf holds every Azure field breachline reads, under one name each. The same struct
// decodes a record's top level and its "properties" object, because the envelopes move fields
// between the two: a diagnostic-settings sign-in keeps userPrincipalName in properties, a Graph
// or Log Analytics sign-in keeps it at the top.
//
// The decoder matches keys case-insensitively (as encoding/json does), and that is relied on:
// diagnostic settings write operationName and callerIpAddress, Log Analytics OperationName and
// CallerIPAddress, some shippers operationname.
//
// S is the type of the fields that are strings in every schema: text, decoded natively, for the
// common pass (fields), or flex for the second pass a record with a surprising type gets (a
// number where a string belongs, "resulttype": 7000215), so that no record is lost to a type. The
// fields that vary between envelopes even in Azure's own output ({"value": …} objects in the
// activity log's REST form, numbers and booleans) are flex in both.
//
// Where one name means different things in different envelopes the kind-specific code decides
// explicitly which level to read; those names are marked below. Everything not listed stays in
// the evidence, reachable with `breachline show`.
type fieldsOf[S ~string] struct {
	// Times, in the envelopes that carry them.
	Time             S `json:"time"`             // diagnostic settings (resource logs, Entra)
	TimeGenerated    S `json:"TimeGenerated"`    // Log Analytics and Sentinel tables
	EventTimestamp   S `json:"eventTimestamp"`   // activity log REST API and PowerShell
	EventTimestampPy S `json:"event_timestamp"`  // activity log via the Python SDK's as_dict()
	CreatedDateTime  S `json:"createdDateTime"`  // Entra sign-ins
	ActivityDateTime S `json:"activityDateTime"` // Entra audits

	// What happened. Category and OperationName are a string in most envelopes and a
	// {"value","localizedValue"} object in the activity log REST API; text takes the value.
	Category            flex `json:"category"` // differs: the log category at the top, the Entra audit category in properties
	CategoryValue       flex `json:"CategoryValue"`
	Type                S    `json:"Type"` // Log Analytics: the table name
	OperationName       flex `json:"operationName"`
	OperationNamePy     flex `json:"operation_name"`
	OperationNameValue  flex `json:"OperationNameValue"` // Log Analytics AzureActivity: the operation, where OperationName is its localized title
	ActivityDisplayName S    `json:"activityDisplayName"`
	EventName           flex `json:"eventName"`
	EventNamePy         flex `json:"event_name"`
	LoggedByService     S    `json:"loggedByService"`
	OperationType       S    `json:"operationType"`
	AADOperationType    S    `json:"AADOperationType"`

	// How it ended. Status differs: {"value"} in the activity log, {"errorCode"} in a sign-in,
	// a plain string from PowerShell, a JSON string from Log Analytics; each kind reads it itself.
	ResultType             flex               `json:"resultType"` // differs: a word in the activity log, an error code in a sign-in
	ResultSignature        S                  `json:"resultSignature"`
	ResultDescription      S                  `json:"resultDescription"`
	Result                 S                  `json:"result"`
	ResultReason           S                  `json:"resultReason"`
	Status                 jsondec.RawMessage `json:"status"`
	SubStatus              flex               `json:"subStatus"`
	SubStatusPy            flex               `json:"sub_status"`
	ActivityStatusValue    flex               `json:"ActivityStatusValue"`
	ActivitySubstatusValue flex               `json:"ActivitySubstatusValue"`
	HTTPStatusCode         flex               `json:"httpStatusCode"`
	HTTPStatusCodeD        flex               `json:"httpStatusCode_d"`
	StatusCode             flex               `json:"statusCode"`
	StatusText             S                  `json:"statusText"`

	// Who, and from where.
	Caller                               S                  `json:"caller"`
	Identity                             jsondec.RawMessage `json:"identity"` // differs: an object of claims, or a display name
	Claims                               jsondec.RawMessage `json:"claims"`
	InitiatedBy                          jsondec.RawMessage `json:"initiatedBy"`
	UserPrincipalName                    S                  `json:"userPrincipalName"`
	UserID                               S                  `json:"userId"`
	UserDisplayName                      S                  `json:"userDisplayName"`
	AppID                                S                  `json:"appId"`
	AppDisplayName                       S                  `json:"appDisplayName"`
	ServicePrincipalID                   S                  `json:"servicePrincipalId"`
	ServicePrincipalName                 S                  `json:"servicePrincipalName"`
	ServicePrincipalCredentialKeyID      S                  `json:"servicePrincipalCredentialKeyId"`
	ServicePrincipalCredentialThumbprint S                  `json:"servicePrincipalCredentialThumbprint"`
	FederatedCredentialID                S                  `json:"federatedCredentialId"`
	ManagedIdentityType                  S                  `json:"managedIdentityType"`
	CallerIPAddress                      S                  `json:"callerIpAddress"`
	IPAddress                            S                  `json:"ipAddress"`
	HTTPRequest                          jsondec.RawMessage `json:"httpRequest"`
	HTTPRequestPy                        jsondec.RawMessage `json:"http_request"`
	UserAgent                            S                  `json:"userAgent"`
	ClientInfo                           S                  `json:"clientInfo"`
	ClientInfoS                          S                  `json:"clientInfo_s"`
	UserAgentHeader                      S                  `json:"userAgentHeader"`

	// Sign-in details kept as attributes.
	ClientAppUsed             S    `json:"clientAppUsed"`
	AuthenticationProtocol    S    `json:"authenticationProtocol"`
	AuthenticationRequirement S    `json:"authenticationRequirement"`
	ConditionalAccessStatus   S    `json:"conditionalAccessStatus"`
	IsInteractive             flex `json:"isInteractive"`
	UniqueTokenIdentifier     S    `json:"uniqueTokenIdentifier"`
	IncomingTokenType         S    `json:"incomingTokenType"`
	ResourceDisplayName       S    `json:"resourceDisplayName"`
	ResourceIdentity          S    `json:"ResourceIdentity"`

	// On what.
	ResourceID       S                  `json:"resourceId"` // differs: an ARM path at the top, the signed-in resource's app id in a sign-in's properties
	ResourceIDPy     S                  `json:"resource_id"`
	ResourceIDLA     S                  `json:"_ResourceId"`
	Resource         S                  `json:"Resource"` // Log Analytics: the resource name (a vault, upper case)
	ResourceProvider S                  `json:"ResourceProvider"`
	ResourceType     flex               `json:"resourceType"`
	ResourceTypePy   flex               `json:"resource_type"`
	TargetResources  jsondec.RawMessage `json:"targetResources"`
	ID               S                  `json:"id"` // differs: the event's id, or a Key Vault object's URI
	IDS              S                  `json:"id_s"`
	RequestURI       S                  `json:"requestUri"`
	RequestURIS      S                  `json:"requestUri_s"`
	URI              S                  `json:"uri"`
	ObjectKey        S                  `json:"objectKey"`

	// Identifiers kept as attributes.
	CorrelationID     S    `json:"correlationId"`
	CorrelationIDPy   S    `json:"correlation_id"`
	EventDataID       S    `json:"eventDataId"`
	EventDataIDPy     S    `json:"event_data_id"`
	OperationID       S    `json:"operationId"`
	OperationIDPy     S    `json:"operation_id"`
	TenantID          S    `json:"tenantId"`
	TenantIDPy        S    `json:"tenant_id"`
	AADTenantID       S    `json:"AADTenantId"`
	SubscriptionID    S    `json:"subscriptionId"`
	SubscriptionIDPy  S    `json:"subscription_id"`
	ResourceGroupName S    `json:"resourceGroupName"`
	ResourceGroupPy   S    `json:"resource_group_name"`
	ResourceGroup     S    `json:"ResourceGroup"`
	Level             flex `json:"level"`
	OperationVersion  S    `json:"operationVersion"`

	// Key Vault access checks; Log Analytics' AzureDiagnostics flattens the claims into columns.
	IsAccessPolicyMatch flex `json:"isAccessPolicyMatch"`
	IsRbacAuthorized    flex `json:"isRbacAuthorized"`
	ClaimUPN            S    `json:"identity_claim_upn_s"`
	ClaimUPNLong        S    `json:"identity_claim_http_schemas_xmlsoap_org_ws_2005_05_identity_claims_upn_s"`
	ClaimAppID          S    `json:"identity_claim_appid_g"`
	ClaimOID            S    `json:"identity_claim_oid_g"`
	ClaimOIDLong        S    `json:"identity_claim_http_schemas_microsoft_com_identity_claims_objectidentifier_g"`
	ClaimIPAddr         S    `json:"identity_claim_ipaddr_s"`

	AdditionalDetails jsondec.RawMessage `json:"additionalDetails"`

	// Identity Protection risk detections (Graph riskDetection, UserRiskEvents).
	RiskEventType       S                  `json:"riskEventType"`
	RiskLevel           flex               `json:"riskLevel"`
	RiskState           flex               `json:"riskState"`
	RiskDetail          flex               `json:"riskDetail"`
	Source              flex               `json:"source"`
	DetectionTimingType flex               `json:"detectionTimingType"`
	Activity            flex               `json:"activity"`
	TokenIssuerType     flex               `json:"tokenIssuerType"`
	DetectedDateTime    S                  `json:"detectedDateTime"`
	RequestID           S                  `json:"requestId"`
	AdditionalInfo      jsondec.RawMessage `json:"additionalInfo"` // a JSON string holding [{"Key","Value"}…]

	Tables jsondec.RawMessage `json:"tables"` // the Log Analytics query API's columnar response
}

// fields is a record level decoded in the common pass.
type fields = fieldsOf[text]

// envelope decodes a record and its properties object in one pass, into the fields it points to.
type envelope struct {
	*fields
	Properties *fields `json:"properties"`
}

// flatEnvelopeOf decodes a record whose properties is not an object (Log Analytics exports write
// it as a JSON string) or whose fields have surprising types: properties is kept raw.
type flatEnvelopeOf[S ~string] struct {
	*fieldsOf[S]
	Properties jsondec.RawMessage `json:"properties"`
}

// decode reads raw into r with unmarshal (jsondec.Unmarshal; tests pass encoding/json's). The
// common case takes one pass. Otherwise properties is decoded apart, and a level whose fields
// have surprising types is decoded leniently.
func (r *record) decode(raw []byte, unmarshal func([]byte, any) error) error {
	if unmarshal(raw, &envelope{fields: &r.top, Properties: &r.props}) == nil {
		return nil
	}
	*r = record{}
	flat := flatEnvelopeOf[text]{fieldsOf: &r.top}
	if unmarshal(raw, &flat) != nil {
		var lenient fieldsOf[flex]
		flat := flatEnvelopeOf[flex]{fieldsOf: &lenient}
		if err := unmarshal(raw, &flat); err != nil {
			return err
		}
		r.top = fields{}
		fromLenient(&r.top, &lenient)
		decodeFields(flat.Properties, &r.props, unmarshal)
		return nil
	}
	decodeFields(flat.Properties, &r.props, unmarshal)
	return nil
}

// decodeFields decodes a properties object (or a JSON string holding one) into f, leniently if
// it must.
func decodeFields(raw jsondec.RawMessage, f *fields, unmarshal func([]byte, any) error) {
	b := unwrapJSON(raw)
	if len(b) == 0 || b[0] != '{' {
		return
	}
	if unmarshal(b, f) == nil {
		return
	}
	*f = fields{}
	var lenient fieldsOf[flex]
	if unmarshal(b, &lenient) == nil {
		fromLenient(f, &lenient)
	}
}

// fromLenient copies a leniently decoded level into dst; the two differ only in the type of
// their string fields.
func fromLenient(dst *fields, src *fieldsOf[flex]) {
	d, s := reflect.ValueOf(dst).Elem(), reflect.ValueOf(src).Elem()
	for i := 0; i < d.NumField(); i++ {
		if df, sf := d.Field(i), s.Field(i); df.Type() == sf.Type() {
			df.Set(sf)
		} else {
			df.SetString(sf.String())
		}
	}
}

// text is a string field, decoded natively.
type text string

// flex is a scalar read leniently: a string as it is, a number or boolean as its JSON text, an
// {"value": …} object (the activity log's localizable strings) as its value, null and other
// shapes as "". Azure and the tools that export it disagree on scalar types; a record is never
// lost to that.
type flex string

// UnmarshalJSON implements json.Unmarshaler.
func (t *flex) UnmarshalJSON(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	switch b[0] {
	case '"':
		if len(b) >= 2 && bytes.IndexByte(b, '\\') < 0 {
			*t = flex(b[1 : len(b)-1])
			return nil
		}
		var s string
		if err := jsondec.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = flex(s)
	case '{':
		var v struct {
			Value flex `json:"value"`
		}
		if err := jsondec.Unmarshal(b, &v); err != nil {
			return err
		}
		*t = v.Value
	case 'n', '[':
		*t = ""
	default:
		*t = flex(b)
	}
	return nil
}

// nested decodes a nested object into v whether the export kept it as JSON (diagnostic
// settings, REST) or as a JSON string holding JSON (Log Analytics and Sentinel exports write
// InitiatedBy, TargetResources, Properties, Claims… that way). It reports whether there was
// anything to decode; a value that is neither is ignored, not fatal.
func nested(raw jsondec.RawMessage, v any) bool {
	b := unwrapJSON(raw)
	if len(b) == 0 || (b[0] != '{' && b[0] != '[') {
		return false
	}
	return jsondec.Unmarshal(b, v) == nil
}

// unwrapJSON returns raw itself when it is an object or array, and the content of raw when it
// is a string holding one.
func unwrapJSON(raw []byte) []byte {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '"' {
		return raw
	}
	var s string
	if jsondec.Unmarshal(raw, &s) != nil {
		return nil
	}
	return bytes.TrimSpace([]byte(s))
}

// first returns the first non-empty value.
func first[T ~string](vs ...T) string {
	for _, v := range vs {
		if v != "" {
			return string(v)
		}
	}
	return ""
}
