// Package all is the one registry of ingesters. The list is explicit, not filled by init()
// side effects, so that reading this file tells exactly which formats a build understands and in
// which order detection tries them: more specific formats come first.
package all

import (
	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/accesslog"
	"github.com/breachline/breachline/ingest/auditd"
	"github.com/breachline/breachline/ingest/azure"
	"github.com/breachline/breachline/ingest/cloudtrail"
	"github.com/breachline/breachline/ingest/gcpaudit"
	"github.com/breachline/breachline/ingest/k8saudit"
)

// Ingesters returns every ingester in detection order.
func Ingesters() []ingest.Ingester {
	return []ingest.Ingester{
		cloudtrail.New(),
		// GCP before Kubernetes: GKE entries are Cloud Audit Logs that name Kubernetes things.
		gcpaudit.New(),
		// Azure before Kubernetes: an AKS export mixing kube-audit with other categories is
		// Azure's (it rejects the kube-audit records, naming the Kubernetes ingester); a pure
		// kube-audit export is declined by Azure and read by k8s-audit.
		azure.New(),
		k8saudit.New(),
		// Line formats after the JSON ones: their Detect never claims input starting with { or [.
		accesslog.New(),
		auditd.New(),
	}
}

// Lookup returns the ingester called name, or an error listing the known names.
func Lookup(name string) (ingest.Ingester, error) { return ingest.Lookup(Ingesters(), name) }
