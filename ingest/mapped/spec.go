package mapped

// A spec is a mapping as written: every value with the line it is on, read by decode.go and
// checked and compiled into a plan by compile.go.

// str is a scalar of the mapping with the line it is on.
type str struct {
	v    string
	line int
}

type spec struct {
	name, version, description, container *str
	wrappers                              []str
	csv                                   *csvSpec
	detect                                *detectSpec
	fields                                []*fieldSpec
	attrs                                 []*fieldSpec
	fieldsLine                            int
	// broken names the top-level keys whose value had a fault of shape, already reported:
	// compile skips them rather than report them again as missing.
	broken map[string]bool
}

type csvSpec struct {
	line             int
	comma, comment   *str
	columns          []str
	columnsLine      int
	lazyQuotes       bool
	trimLeadingSpace bool
}

type detectSpec struct {
	line    int
	keys    []str
	columns []str
	regex   *str
}

// fieldSpec is one entry of fields: or attrs:.
type fieldSpec struct {
	key                        string // "fields.time", "attrs.country": for messages
	name                       string
	line                       int
	from, value, template, def *str
	transforms                 []*transformSpec
	when                       *whenSpec
	broken                     bool // a fault of shape was reported; compile skips the field
}

type transformSpec struct {
	name    string
	line    int
	arg     *str   // the expression of regex
	layouts []str  // the layouts of time
	table   []pair // the table of map
	def     *str   // the default of map
}

type pair struct{ k, v str }

type whenSpec struct {
	line     int
	category []str
	from     *str
	in       []str
}

// Every key a mapping may use, for "unknown key" messages.
var (
	topKeys    = []string{"name", "version", "description", "container", "wrappers", "csv", "detect", "fields", "attrs"}
	csvKeys    = []string{"comma", "comment", "columns", "lazy_quotes", "trim_leading_space"}
	detectKeys = []string{"keys", "columns", "regex"}
	fieldKeys  = []string{"from", "value", "template", "default", "transforms", "when"}
	whenKeys   = []string{"category", "from", "in"}
)
