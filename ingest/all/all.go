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
	"github.com/breachline/breachline/ingest/githubaudit"
	"github.com/breachline/breachline/ingest/k8saudit"
	"github.com/breachline/breachline/ingest/vaultaudit"
)

// Ingesters returns every ingester in detection order.
func Ingesters() []ingest.Ingester {
	return []ingest.Ingester{
		cloudtrail.New(),
		// Vault and GitHub audit records have keys and values nothing else here uses.
		vaultaudit.New(),
		githubaudit.New(),
		// GCP before Kubernetes: GKE entries are Cloud Audit Logs that name Kubernetes things.
		gcpaudit.New(),
		// Kubernetes before Azure: an AKS diagnostic export that starts with kube-audit records is
		// read for its audit events, which are where secret reads are; its other categories
		// (kube-apiserver logs…) become rejects naming azure. Azure declines pure kube-audit files.
		k8saudit.New(),
		azure.New(),
		// Line formats after the JSON ones: their Detect never claims input starting with { or [.
		accesslog.New(),
		auditd.New(),
	}
}

// Lookup returns the ingester called name, or an error listing the known names.
func Lookup(name string) (ingest.Ingester, error) { return ingest.Lookup(Ingesters(), name) }
