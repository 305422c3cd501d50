package mapped

import (
	"regexp"

	"github.com/breachline/breachline/normalize"
)

// A plan is a mapping compiled for reading records: paths split into a trie of slots (or CSV
// column names), regular expressions compiled, value tables as maps. Records are read against
// the plan only; the mapping's text is never looked at again.
type plan struct {
	file     string
	csv      bool
	wrappers []string
	csvOpt   csvOptions

	trie    *trie    // JSON: the paths
	columns []string // CSV: the column each slot reads
	slots   int32

	detect   detectPlan
	time     timePlan
	category *fieldPlan
	fields   []*fieldPlan // the other event fields, in the order of eventFields
	attrs    []*fieldPlan
}

// eventField numbers the event fields a mapping can fill.
type eventField int

const (
	fTime eventField = iota
	fCategory
	fAction
	fOutcome
	fPrincipal
	fPrincipalType
	fSrcIP
	fUserAgent
	fCredential
	fResource
	fResourceType
	fSecretRef
	fRequestID
	fAttr eventField = -1
)

// eventFields are the names of the fields, indexed by eventField.
var eventFields = []string{
	"time", "category", "action", "outcome", "principal", "principal_type", "src_ip",
	"user_agent", "credential", "resource", "resource_type", "secret_ref", "request_id",
}

type srcKind uint8

const (
	srcConst    srcKind = iota + 1 // value:
	srcSlot                        // from:
	srcTemplate                    // template:
)

// source is where a field's text comes from.
type source struct {
	kind  srcKind
	value string
	slot  int32
	path  string // from:, for messages
	parts []tmplPart
}

// fieldPlan fills one event field or attribute.
type fieldPlan struct {
	name       string
	id         eventField
	src        source
	transforms []transform
	def        string
	hasDef     bool
	when       *whenPlan
	// typed: an attribute read from JSON without transforms keeps its JSON type (numbers,
	// booleans, objects), so nothing is lost to text.
	typed bool
	// number: the last transform is number, so a decimal value is stored as a JSON number.
	number bool
	// hashes: the last transform (sha256, query_credential) makes a handle, which is keyed.
	hashes bool
}

// timePlan fills time, time_raw and tz_basis.
type timePlan struct {
	src        source
	transforms []transform // text transforms before the conversion
	conv       timeConv
}

// whenPlan is a field's condition: it is filled only for records that meet it.
type whenPlan struct {
	categories map[normalize.Category]bool
	slot       int32 // -1 when there is no from:
	path       string
	in         map[string]bool
}

type csvOptions struct {
	comma, comment   rune
	columns          []string // the file has no header row; these are its columns
	lazyQuotes       bool
	trimLeadingSpace bool
}

type detectPlan struct {
	keys    []int32  // JSON: slots that must hold a value in the first record
	columns []string // CSV: columns the header must have
	re      *regexp.Regexp
}
