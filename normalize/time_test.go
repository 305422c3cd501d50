package normalize

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestInZoneRefusesSkippedAndRepeatedWallClocks(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	ok, err := ParseInZone("2006-01-02 15:04:05", "2026-03-02 10:00:00", berlin)
	require.NoError(t, err)
	require.Equal(t, "2026-03-02T09:00:00.000000000Z", FormatTime(ok))

	_, err = ParseInZone("2006-01-02 15:04:05", "2026-03-29 02:30:00", berlin)
	require.ErrorContains(t, err, "does not exist")
	_, err = ParseInZone("2006-01-02 15:04:05", "2026-10-25 02:30:00", berlin)
	require.ErrorContains(t, err, "happened twice")
	require.ErrorContains(t, err, "2026-10-25T00:30:00.000000000Z or 2026-10-25T01:30:00.000000000Z")
}

func TestParseRFC3339(t *testing.T) {
	tm, basis, err := ParseRFC3339("2026-03-02T10:00:00.5+01:00", nil)
	require.NoError(t, err)
	require.Equal(t, TZExplicit, basis)
	require.Equal(t, "2026-03-02T09:00:00.500000000Z", FormatTime(tm))
	_, _, err = ParseRFC3339("2026-03-02 10:00:00", nil)
	require.ErrorContains(t, err, "--assume-tz")
	tm, basis, err = ParseRFC3339("2026-03-02 10:00:00", time.UTC)
	require.NoError(t, err)
	require.Equal(t, "assumed:UTC", basis)
	require.Equal(t, "2026-03-02T10:00:00.000000000Z", FormatTime(tm))
	_, _, err = ParseRFC3339("yesterday", nil)
	require.ErrorContains(t, err, "not an RFC 3339 time")
}
