//go:build duckdb

package correlate

// BuildBenchCase and BenchBase give the DuckDB engine's tests (package correlate_test, which may
// import timeline/correlate/duckdb) the benchmark's generated case.
var (
	BuildBenchCase = buildBenchCase
	BenchBase      = benchBase
	EnvInt         = envInt
)
