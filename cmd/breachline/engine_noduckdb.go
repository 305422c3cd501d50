//go:build !duckdb

package main

import (
	"context"
	"errors"

	"github.com/breachline/breachline/timeline"
	"github.com/breachline/breachline/timeline/correlate"
)

// duckdbBuilt says this binary has the DuckDB engine: the default build leaves it out (it adds
// about 90 MB); make build TAGS=duckdb puts it in.
const duckdbBuilt = false

func correlateOnLake(context.Context, *timeline.Case, timeline.Actor, correlate.Options, string) (*correlate.Result, error) {
	return nil, errors.New("this breachline was built without the DuckDB engine")
}
