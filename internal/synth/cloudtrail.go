package synth

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// CloudTrail writes n CloudTrail records as one S3 delivery file ({"Records":[…]} on one line),
// with the mix of identities and calls a busy account shows: API reads, secret reads, role
// assumptions, console logins, the occasional error.
func CloudTrail(w io.Writer, n int, seed int64) error {
	r := rng(seed)
	bw := bufio.NewWriterSize(w, 1<<20)
	users := make([]string, 200)
	keys := make([]string, 200)
	for i := range users {
		users[i] = fmt.Sprintf("svc-%03d", i)
		keys[i] = "AKIA" + upperID(r, 16)
	}
	calls := []struct{ source, name string }{
		{"s3.amazonaws.com", "GetObject"}, {"s3.amazonaws.com", "PutObject"}, {"ec2.amazonaws.com", "DescribeInstances"},
		{"secretsmanager.amazonaws.com", "GetSecretValue"}, {"sts.amazonaws.com", "AssumeRole"},
		{"sts.amazonaws.com", "GetCallerIdentity"}, {"iam.amazonaws.com", "ListUsers"}, {"kms.amazonaws.com", "Decrypt"},
		{"ssm.amazonaws.com", "GetParameter"}, {"lambda.amazonaws.com", "Invoke"},
	}
	t := Base
	bw.WriteString(`{"Records":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			bw.WriteByte(',')
		}
		t = t.Add(time.Duration(r.IntN(2000)) * time.Millisecond)
		u := r.IntN(len(users))
		c := pick(r, calls)
		rec := map[string]any{
			"eventVersion": "1.09",
			"userIdentity": map[string]any{
				"type": "IAMUser", "principalId": "AIDA" + upperID(r, 16),
				"arn": "arn:aws:iam::111122223333:user/" + users[u], "accountId": "111122223333",
				"accessKeyId": keys[u], "userName": users[u],
			},
			"eventTime": t.Format(time.RFC3339), "eventSource": c.source, "eventName": c.name,
			"awsRegion": "eu-west-1", "sourceIPAddress": ipv4(r, 5000),
			"userAgent":         pick(r, []string{"aws-cli/2.15.0 Python/3.11.6 Linux/6.1", "Boto3/1.34.0 Python/3.12.1", "aws-sdk-go-v2/1.24.0"}),
			"requestParameters": map[string]any{"secretId": fmt.Sprintf("prod/app-%03d/db", r.IntN(500)), "name": fmt.Sprintf("/prod/p-%d", r.IntN(100)), "withDecryption": true},
			"responseElements":  nil,
			"requestID":         hexID(r, 8) + "-" + hexID(r, 4) + "-" + hexID(r, 4) + "-" + hexID(r, 12),
			"eventID":           hexID(r, 8) + "-" + hexID(r, 4) + "-" + hexID(r, 4) + "-" + hexID(r, 12),
			"readOnly":          true, "eventType": "AwsApiCall", "managementEvent": true,
			"recipientAccountId": "111122223333", "eventCategory": "Management",
		}
		if r.IntN(50) == 0 {
			rec["errorCode"], rec["errorMessage"] = "AccessDenied", "User is not authorized to perform this operation"
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
