package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// busyMessage is what a command says when another holds the case longer than it waits.
const busyMessage = "case is busy"

// TestTwoIngestsAtOnce starts two ingest processes on one case at the same moment, with
// overlapping evidence, on a case that does not exist yet and on one that does: each completes,
// or fails saying the case is busy; the case is never damaged, and once both are done (a busy
// one run again) it holds what one sequential ingest of all the evidence holds.
func TestTwoIngestsAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("runs processes")
	}
	dir := t.TempDir()
	paths := writeSynthEvidence(t, dir, 3, 4000, 1)
	setA, setB := paths[:4], paths[2:]

	ref := filepath.Join(dir, "ref.db")
	blOK(t, dir, append([]string{"ingest", "-q", "--case", ref}, paths...)...)
	wantEvents := sqlInt(t, ref, "SELECT count(*) FROM events")
	wantEvidence := sqlInt(t, ref, "SELECT count(*) FROM evidence")

	for round, fresh := range []bool{true, false, true} {
		casePath := filepath.Join(dir, "case"+string(rune('0'+round))+".db")
		if !fresh {
			blOK(t, dir, "init", "-q", "--case", casePath, "--name", "c", "--examiner", "e")
		}
		var wg sync.WaitGroup
		type outcome struct {
			code   int
			stderr string
		}
		outs := make([]outcome, 2)
		for i, set := range [][]string{setA, setB} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, e, code := blRun(t, dir, append([]string{"ingest", "-q", "--case", casePath}, set...)...)
				outs[i] = outcome{code, e}
			}()
		}
		wg.Wait()
		for i, o := range outs {
			if o.code != 0 {
				require.Contains(t, o.stderr, busyMessage, "round %d ingest %d exited %d", round, i, o.code)
				t.Logf("round %d: ingest %d was told: %s", round, i, strings.TrimSpace(o.stderr))
			}
		}
		caseIntact(t, dir, casePath)
		// Whatever a busy ingest left undone, running it again completes it.
		blOK(t, dir, append([]string{"ingest", "-q", "--case", casePath}, paths...)...)
		caseIntact(t, dir, casePath)
		require.Equal(t, wantEvents, sqlInt(t, casePath, "SELECT count(*) FROM events"), "round %d", round)
		require.Equal(t, wantEvidence, sqlInt(t, casePath, "SELECT count(*) FROM evidence"), "round %d", round)
	}
}

// TestReadersDuringIngest runs timeline, evidence, custody and export over and over while an
// ingest stores files into the same case: every reader succeeds; export, which records itself
// in the custody log and so writes, succeeds or says the case is busy, never something worse;
// and the ingest completes.
func TestReadersDuringIngest(t *testing.T) {
	if testing.Short() {
		t.Skip("runs processes")
	}
	dir := t.TempDir()
	paths := writeSynthEvidence(t, dir, 4, 6000, 2)
	casePath := filepath.Join(dir, "case.db")
	blOK(t, dir, "ingest", "-q", "--case", casePath, paths[0])

	ing := blProc(dir, append([]string{"ingest", "-q", "--case", casePath}, paths[1:]...)...)
	var ingErr bytes.Buffer
	ing.Stderr = &ingErr
	require.NoError(t, ing.Start())
	done := make(chan error, 1)
	go func() { done <- ing.Wait() }()

	readers := [][]string{
		{"export", "--case", casePath, "--to", "csv", "--force", "--out", filepath.Join(dir, "out.csv")},
		{"timeline", "--case", casePath, "--limit", "20"},
		{"timeline", "--case", casePath, "--format", "jsonl", "--category", "secret_read"},
		{"evidence", "--case", casePath},
		{"custody", "--case", casePath},
	}
	runs, busy := 0, 0
	deadline := time.After(2 * time.Minute)
loop:
	for {
		for _, args := range readers {
			select {
			case err := <-done:
				require.NoError(t, err, "ingest: %s", ingErr.String())
				break loop
			case <-deadline:
				t.Fatal("ingest did not finish")
			default:
			}
			start := time.Now()
			_, e, code := blRun(t, dir, append(args, "-q")...)
			t.Logf("%s took %v", args[0], time.Since(start).Round(time.Millisecond))
			runs++
			if code != 0 {
				require.Equal(t, "export", args[0], "%v exited %d during an ingest: %s", args, code, e)
				require.Contains(t, e, busyMessage, "%v exited %d during an ingest", args, code)
				busy++
			}
		}
	}
	t.Logf("%d reader runs during the ingest, %d told the case was busy", runs, busy)
	require.Positive(t, runs)
	caseIntact(t, dir, casePath)
}
