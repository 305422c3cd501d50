// Package synth generates deterministic synthetic logs of every supported format, of any size,
// for benchmarks and for embedding the sample incident in background noise. The same seed always
// gives the same bytes.
package synth

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Base is the start of every generated log; records advance from it in small random steps.
var Base = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// rng returns the generator's random source for seed.
func rng(seed int64) *rand.Rand { return rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15)) }

// pick returns one element of xs.
func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// ipv4 returns a documentation-range-like address drawn from a fixed pool of n hosts.
func ipv4(r *rand.Rand, n int) string {
	i := r.IntN(n)
	return fmt.Sprintf("10.%d.%d.%d", (i>>16)&0xff, (i>>8)&0xff, i&0xff)
}

// hexID returns n pseudo-random hex digits.
func hexID(r *rand.Rand, n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[r.IntN(16)]
	}
	return string(b)
}

// upperID returns n pseudo-random upper-case letters and digits (AWS key id bodies).
func upperID(r *rand.Rand, n int) string {
	const digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[r.IntN(len(digits))]
	}
	return string(b)
}
