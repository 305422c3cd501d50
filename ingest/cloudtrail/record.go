package cloudtrail

import "github.com/breachline/breachline/ingest/internal/jsondec"

// record holds the CloudTrail fields breachline reads. Field names follow the CloudTrail record
// contents reference; everything else stays in the evidence file, reachable with `show`.
type record struct {
	EventVersion       string             `json:"eventVersion"`
	EventTime          string             `json:"eventTime"`
	EventSource        string             `json:"eventSource"`
	EventName          string             `json:"eventName"`
	AWSRegion          string             `json:"awsRegion"`
	SourceIPAddress    string             `json:"sourceIPAddress"`
	UserAgent          string             `json:"userAgent"`
	ErrorCode          string             `json:"errorCode"`
	ErrorMessage       string             `json:"errorMessage"`
	RequestID          string             `json:"requestID"`
	EventID            string             `json:"eventID"`
	EventType          string             `json:"eventType"`
	EventCategory      string             `json:"eventCategory"`
	RecipientAccountID string             `json:"recipientAccountId"`
	SharedEventID      string             `json:"sharedEventID"`
	VPCEndpointID      string             `json:"vpcEndpointId"`
	UserIdentity       *identity          `json:"userIdentity"`
	RequestParameters  jsondec.RawMessage `json:"requestParameters"`
	ResponseElements   jsondec.RawMessage `json:"responseElements"`
	AdditionalData     jsondec.RawMessage `json:"additionalEventData"`
	Resources          []resource         `json:"resources"`
	InsightDetails     *insight           `json:"insightDetails"`

	// lakeTime is set for CloudTrail Lake rows, whose eventtime has no zone and is UTC by schema.
	lakeTime bool

	// EventBridge envelope.
	DetailType string             `json:"detail-type"`
	Detail     jsondec.RawMessage `json:"detail"`
	Time       string             `json:"time"`
	Region     string             `json:"region"`
}

type identity struct {
	Type             string          `json:"type"`
	PrincipalID      string          `json:"principalId"`
	ARN              string          `json:"arn"`
	AccountID        string          `json:"accountId"`
	AccessKeyID      string          `json:"accessKeyId"`
	UserName         string          `json:"userName"`
	InvokedBy        string          `json:"invokedBy"`
	IdentityProvider string          `json:"identityProvider"`
	SessionContext   *sessionContext `json:"sessionContext"`
	OnBehalfOf       *struct {
		UserID           string `json:"userId"`
		IdentityStoreARN string `json:"identityStoreArn"`
	} `json:"onBehalfOf"`
}

type sessionContext struct {
	SessionIssuer *struct {
		Type     string `json:"type"`
		ARN      string `json:"arn"`
		UserName string `json:"userName"`
	} `json:"sessionIssuer"`
	Attributes *struct {
		MFAAuthenticated string `json:"mfaAuthenticated"`
		CreationDate     string `json:"creationDate"`
	} `json:"attributes"`
	SourceIdentity string `json:"sourceIdentity"`
}

type resource struct {
	ARN       string `json:"ARN"`
	AccountID string `json:"accountId"`
	Type      string `json:"type"`
}

// lookupEvent is one event of `aws cloudtrail lookup-events` output.
type lookupEvent struct {
	EventTime       string `json:"EventTime"`
	CloudTrailEvent string `json:"CloudTrailEvent"`
}

// params holds the request parameters the categories need.
type params struct {
	SecretID       string   `json:"secretId"`
	SecretIDList   []string `json:"secretIdList"`
	Name           string   `json:"name"`
	Names          []string `json:"names"`
	Path           string   `json:"path"`
	WithDecryption *bool    `json:"withDecryption"`
	AccessKeyID    string   `json:"accessKeyId"`
	Status         string   `json:"status"`
	UserName       string   `json:"userName"`
	RoleARN        string   `json:"roleArn"`
	RoleSession    string   `json:"roleSessionName"`
	BucketName     string   `json:"bucketName"`
	Key            string   `json:"key"`
	// EncryptionContext names, on a KMS Decrypt made for Secrets Manager or Parameter Store, the
	// secret or parameter being decrypted.
	EncryptionContext map[string]string `json:"encryptionContext"`
	// Filters replace SecretIDList in a BatchGetSecretValue that selects secrets by tag or name.
	Filters []struct {
		Key    string   `json:"key"`
		Values []string `json:"values"`
	} `json:"filters"`
}

// response holds the response elements the categories need.
type response struct {
	ConsoleLogin string `json:"ConsoleLogin"`
	Credentials  *struct {
		AccessKeyID string `json:"accessKeyId"`
		Expiration  string `json:"expiration"`
	} `json:"credentials"`
	AccessKey *struct {
		AccessKeyID string `json:"accessKeyId"`
		UserName    string `json:"userName"`
	} `json:"accessKey"`
	AssumedRoleUser *struct {
		ARN string `json:"arn"`
	} `json:"assumedRoleUser"`
	FederatedUser *struct {
		ARN string `json:"arn"`
	} `json:"federatedUser"`
}

// insight is the body of a CloudTrail Insights event: a detected change in an API's call rate or
// error rate, not a call.
type insight struct {
	State       string `json:"state"`
	EventSource string `json:"eventSource"`
	EventName   string `json:"eventName"`
	InsightType string `json:"insightType"`
}
