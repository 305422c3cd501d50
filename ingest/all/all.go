// Package all is the one registry of ingesters. The list is explicit, not filled by init()
// side effects, so that reading this file tells exactly which formats a build understands and in
// which order detection tries them: more specific formats come first.
package all

import (
	"fmt"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/accesslog"
	"github.com/breachline/breachline/ingest/auditd"
	"github.com/breachline/breachline/ingest/awsalb"
	"github.com/breachline/breachline/ingest/azure"
	"github.com/breachline/breachline/ingest/cloudfront"
	"github.com/breachline/breachline/ingest/cloudtrail"
	"github.com/breachline/breachline/ingest/gcpaudit"
	"github.com/breachline/breachline/ingest/githubaudit"
	"github.com/breachline/breachline/ingest/k8saudit"
	"github.com/breachline/breachline/ingest/mapped"
	"github.com/breachline/breachline/ingest/vaultaudit"
)

// Ingesters returns every ingester in detection order: the formats with a parser of their own,
// then the mappings shipped in ingest/mapped/builtin, whose detect rules are the most generic.
func Ingesters() []ingest.Ingester {
	ings := []ingest.Ingester{
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
		// The load balancer's and the CDN's logs have stricter shapes than a web server's, so
		// they are tried first.
		awsalb.New(),
		cloudfront.New(),
		accesslog.New(),
		auditd.New(),
	}
	for _, m := range mapped.Builtins() {
		ings = append(ings, m)
	}
	return ings
}

// WithMapping returns the ingesters with a user's mapping file first in detection order. A
// mapping may not take the name of a format breachline already has: events name their source,
// and two parsers behind one name would make that ambiguous.
func WithMapping(path string) ([]ingest.Ingester, *mapped.Ingester, error) {
	m, err := mapped.Load(path)
	if err != nil {
		return nil, nil, err
	}
	ings := Ingesters()
	for _, ing := range ings {
		if ing.Name() == m.Name() {
			return nil, nil, fmt.Errorf("%s: mapping name %q is already the name of a format (see breachline formats); rename it", path, m.Name())
		}
	}
	return append([]ingest.Ingester{m}, ings...), m, nil
}

// Lookup returns the ingester called name, or an error listing the known names.
func Lookup(name string) (ingest.Ingester, error) { return ingest.Lookup(Ingesters(), name) }
