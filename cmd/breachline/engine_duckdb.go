//go:build duckdb

package main

import (
	"context"

	"github.com/breachline/breachline/timeline"
	"github.com/breachline/breachline/timeline/correlate"
	"github.com/breachline/breachline/timeline/correlate/duckdb"
)

// duckdbBuilt says this binary has the DuckDB engine (make build TAGS=duckdb).
const duckdbBuilt = true

func correlateOnLake(ctx context.Context, c *timeline.Case, actor timeline.Actor, opt correlate.Options, lake string) (*correlate.Result, error) {
	return duckdb.Run(ctx, c, actor, opt, lake)
}
