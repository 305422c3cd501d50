package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	_ "time/tzdata" // --assume-tz Europe/Berlin in the scripts, whatever zoneinfo the machine has

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/breachline/breachline/ingest/ingesttest"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"breachline": func() { os.Exit(Main(context.Background(), os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the command line as a user does: testdata/script/*.txtar are scripts of
// commands with their expected output and exit codes.
func TestScripts(t *testing.T) {
	samples, err := filepath.Abs("../../samples/incident")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("SAMPLES", samples) // the bundled incident, read-only
			return nil
		},
		UpdateScripts: ingesttest.Updating(), // -update rewrites the expected output in the scripts
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// gz SRC DST: gzip SRC into DST.
			"gz": func(ts *testscript.TestScript, neg bool, args []string) {
				var b bytes.Buffer
				zw := gzip.NewWriter(&b)
				zw.Write([]byte(ts.ReadFile(args[0])))
				zw.Close()
				ts.Check(os.WriteFile(ts.MkAbs(args[1]), b.Bytes(), 0o644))
			},
			// cut FILE N: truncate FILE to N bytes; a negative N removes -N bytes from the end.
			"cut": func(ts *testscript.TestScript, neg bool, args []string) {
				n, err := strconv.Atoi(args[1])
				ts.Check(err)
				if n < 0 {
					info, err := os.Stat(ts.MkAbs(args[0]))
					ts.Check(err)
					n += int(info.Size())
				}
				ts.Check(os.Truncate(ts.MkAbs(args[0]), int64(n)))
			},
			// binary FILE N: write N bytes of non-text data.
			"binary": func(ts *testscript.TestScript, neg bool, args []string) {
				n, err := strconv.Atoi(args[1])
				ts.Check(err)
				b := make([]byte, n)
				for i := range b {
					b[i] = byte(i*131 + 7)
				}
				ts.Check(os.WriteFile(ts.MkAbs(args[0]), b, 0o644))
			},
			// bigline FILE N: write one line of N bytes.
			"bigline": func(ts *testscript.TestScript, neg bool, args []string) {
				n, err := strconv.Atoi(args[1])
				ts.Check(err)
				ts.Check(os.WriteFile(ts.MkAbs(args[0]), append(bytes.Repeat([]byte("x"), n), '\n'), 0o644))
			},
			// exits N COMMAND ARGS...: run COMMAND and require exit status N, keeping its output
			// for the stdout/stderr checks that follow: exit codes are part of the interface.
			"exits": func(ts *testscript.TestScript, neg bool, args []string) {
				want, err := strconv.Atoi(args[0])
				ts.Check(err)
				err = ts.Exec(args[1], args[2:]...)
				got := 0
				var ee *exec.ExitError
				if errors.As(err, &ee) {
					got = ee.ExitCode()
				} else {
					ts.Check(err)
				}
				if got != want {
					ts.Fatalf("%s exited %d, want %d", args[1], got, want)
				}
			},
			// sqlitedb FILE: create an SQLite database that is not a breachline case.
			"sqlitedb": func(ts *testscript.TestScript, neg bool, args []string) {
				db, err := sql.Open("sqlite3", ts.MkAbs(args[0]))
				ts.Check(err)
				_, err = db.Exec("CREATE TABLE notes(body TEXT); INSERT INTO notes VALUES('not a case')")
				ts.Check(err)
				ts.Check(db.Close())
			},
			// tamper FILE SQL: change a case file behind breachline's back, as someone with the
			// file could (the custody triggers only guard the custody table).
			"tamper": func(ts *testscript.TestScript, neg bool, args []string) {
				db, err := sql.Open("sqlite3", ts.MkAbs(args[0]))
				ts.Check(err)
				_, err = db.Exec(strings.Join(args[1:], " "))
				ts.Check(err)
				ts.Check(db.Close())
			},
			// sqlvar FILE VAR SQL: set VAR to the one value SQL selects from the case file.
			"sqlvar": func(ts *testscript.TestScript, neg bool, args []string) {
				db, err := sql.Open("sqlite3", ts.MkAbs(args[0])+"?mode=ro")
				ts.Check(err)
				var v string
				ts.Check(db.QueryRow(strings.Join(args[2:], " ")).Scan(&v))
				ts.Check(db.Close())
				ts.Setenv(args[1], v)
			},
			// sha256 FILE VAR: set VAR to FILE's hex sha256.
			"sha256": func(ts *testscript.TestScript, neg bool, args []string) {
				sum := sha256.Sum256([]byte(ts.ReadFile(args[0])))
				ts.Setenv(args[1], hex.EncodeToString(sum[:]))
			},
		},
	})
}
