//go:build !race

package ingest_test

const race = false
