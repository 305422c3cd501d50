package ingesttest

import (
	"strings"

	"github.com/breachline/breachline/normalize"
)

// Key is the handle key of every test case: a fixed one, so that golden files hold the same
// handles on every machine. It is public test data, never a real case's key.
var Key = func() *normalize.HandleKey {
	k, err := normalize.ParseHandleKey(strings.Repeat("0123456789abcdef", 4))
	if err != nil {
		panic(err)
	}
	return k
}()

// HandleKey implements ingest.Sink.
func (m *Memory) HandleKey() *normalize.HandleKey { return Key }
