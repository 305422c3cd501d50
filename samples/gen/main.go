// Command gen writes the bundled sample incident: the logs of a model-hub platform whose Space
// secrets were read by an intruder, with the ground truth of what happened. The same seed always
// writes the same bytes. With -noise N it embeds the same incident in N background events per
// source, for benchmarks at any volume.
//
//	go run ./samples/gen                      # rewrite samples/incident
//	go run ./samples/gen -out /tmp/big -noise 1000000
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	out := flag.String("out", "samples/incident", "directory to write the incident into")
	noise := flag.Int("noise", 0, "background events per source added around the incident")
	seed := flag.Int64("seed", 1, "seed for the background events")
	flag.Parse()
	if err := write(*out, *noise, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
