package bundle

import (
	"context"
	"crypto/sha256"
	"encoding/asn1"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/report/export/exporttest"
)

// fakeResponse is a granted TimeStampResp over digest, with the structure RFC 3161 gives it and
// no signer (breachline checks only the imprint; the signature is openssl ts -verify's).
func fakeResponse(t testing.TB, digest []byte) []byte {
	type tstInfo struct {
		Version int
		Policy  asn1.ObjectIdentifier
		MI      messageImprint
		Serial  int
		GenTime time.Time `asn1:"generalized"`
	}
	tst, err := asn1.Marshal(tstInfo{1, asn1.ObjectIdentifier{1, 2, 3}, messageImprint{
		algorithmIdentifier{oidSHA256, asn1.NullRawValue}, digest}, 42, time.Date(2026, 3, 10, 12, 5, 0, 0, time.UTC)})
	require.NoError(t, err)
	type encap struct {
		Type    asn1.ObjectIdentifier
		Content []byte `asn1:"explicit,tag:0"`
	}
	emptySet := asn1.RawValue{Tag: asn1.TagSet, IsCompound: true}
	type signedData struct {
		Version int
		Digests asn1.RawValue
		Encap   encap
		Signers asn1.RawValue
	}
	type contentInfo struct {
		Type    asn1.ObjectIdentifier
		Content signedData `asn1:"explicit,tag:0"`
	}
	type status struct{ Status int }
	type resp struct {
		Status status
		Token  contentInfo
	}
	der, err := asn1.Marshal(resp{status{0}, contentInfo{oidSignedData, signedData{3, emptySet, encap{oidTSTInfo, tst}, emptySet}}})
	require.NoError(t, err)
	return der
}

func TestTimestampQuery(t *testing.T) {
	sum := sha256.Sum256([]byte("x"))
	q, err := TimestampQuery(sum[:])
	require.NoError(t, err)
	var req timeStampReq
	_, err = asn1.Unmarshal(q, &req)
	require.NoError(t, err)
	require.Equal(t, 1, req.Version)
	require.Equal(t, sum[:], req.MessageImprint.HashedMessage)
	require.True(t, req.CertReq)
}

func TestStamp(t *testing.T) {
	c := exporttest.IncidentCase(t)
	dir := t.TempDir()
	for _, out := range []string{filepath.Join(dir, "bag"), filepath.Join(dir, "bag.zip")} {
		res, err := Write(context.Background(), c, Options{Out: out, Key: testKey(t), TSQ: true, ToolVersion: "test"})
		require.NoError(t, err)
		require.True(t, res.Query)

		other := sha256.Sum256([]byte("another bag"))
		bad := filepath.Join(dir, "other.tsr")
		require.NoError(t, os.WriteFile(bad, fakeResponse(t, other[:]), 0o644))
		_, err = Stamp(out, bad)
		require.ErrorContains(t, err, "not this bag's tagmanifest-sha256.txt")

		b, err := openBag(out)
		require.NoError(t, err)
		tm, err := b.read(TagManifestTxt)
		require.NoError(t, err)
		require.True(t, b.files[QueryFile])
		b.Close()
		sum := sha256.Sum256(tm)
		good := filepath.Join(dir, "good.tsr")
		require.NoError(t, os.WriteFile(good, fakeResponse(t, sum[:]), 0o644))
		ts, err := Stamp(out, good)
		require.NoError(t, err)
		require.Equal(t, 2026, ts.GenTime.Year())

		rep := verify(t, out, VerifyOptions{NoReproduce: true})
		require.True(t, rep.OK())
		require.Equal(t, StatusOK, statuses(rep)["timestamp"])
	}
}
