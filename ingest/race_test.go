//go:build race

package ingest_test

// race is set when the tests run with -race, which makes them several times slower: the
// determinism test then tries fewer combinations.
const race = true
