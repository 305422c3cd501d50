package breach

// Document is a report laid out for rendering: the same blocks become Markdown, HTML and PDF.
// Every value in it is plain text (renderers escape it); nothing in it is computed by a renderer.
type Document struct {
	Title    string
	Subtitle string
	// Header identifies the report: case, regime, stage, generation time.
	Header []Field
	// OpenItems are the "TO BE COMPLETED" entries, listed first.
	OpenItems []string
	Sections  []Section
	// Record is the facts record the document renders (charts and the evidence page read it).
	Record *Record
}

// Section is a heading and its blocks.
type Section struct {
	Heading string
	Blocks  []Block
}

// BlockKind says how a block is drawn.
type BlockKind int

// The kinds of block.
const (
	Para BlockKind = iota
	Fields
	TableBlock
	List
	Chart
)

// Block is one paragraph, list of fields, table, list or chart.
type Block struct {
	Kind   BlockKind
	Text   string
	Fields []Field
	Table  *Table
	Items  []string
	// Chart names the chart: "exposure" or "activity".
	Chart string
}

// Basis says where a value comes from.
type Basis string

// The bases of a field.
const (
	Entered  Basis = "entered"  // typed by a person into the case profile
	Evidence Basis = "evidence" // derived from the logs (the fact named in Fact)
	Computed Basis = "computed" // computed from entered and derived values (a deadline)
	Open     Basis = "open"     // missing human input: the value is "TO BE COMPLETED: …"
)

// Field is a labelled value with its basis; Fact names the facts record key it comes from.
type Field struct {
	Label string
	Value string
	Basis Basis
	Fact  string
}

// Table is a table of text.
type Table struct {
	Header []string
	Rows   [][]string
}

// ToBeCompleted is how a missing human input reads wherever it belongs.
func ToBeCompleted(what string) string { return "TO BE COMPLETED: " + what }
