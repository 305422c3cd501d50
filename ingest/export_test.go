package ingest

// SetChunkSize makes split files' pieces about n bytes, so that small test inputs are cut into
// many; it returns the function that restores the size.
func SetChunkSize(n int) (restore func()) {
	old := chunkSize
	chunkSize = n
	return func() { chunkSize = old }
}

// SetMaxWhole makes files over n bytes take the two-pass path; it returns the function that
// restores the bound.
func SetMaxWhole(n int64) (restore func()) {
	old := maxWhole
	maxWhole = n
	return func() { maxWhole = old }
}

// SetAfterHash calls f with the path of a file on the two-pass path between its hash pass and its
// parse pass; it returns the function that removes the hook.
func SetAfterHash(f func(path string)) (restore func()) {
	old := afterHash
	afterHash = f
	return func() { afterHash = old }
}
