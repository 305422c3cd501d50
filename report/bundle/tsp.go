package bundle

import (
	"bytes"
	"crypto/rand"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"time"
)

// RFC 3161 time-stamp protocol: the query breachline writes and the parts of the response it
// reads. Only the message imprint is checked against the bag; the authority's CMS signature and
// certificate are for `openssl ts -verify` with the authority's certificate chain.

var (
	oidSHA256     = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSignedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidTSTInfo    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}
)

type algorithmIdentifier struct {
	Algorithm  asn1.ObjectIdentifier
	Parameters asn1.RawValue `asn1:"optional"`
}

type messageImprint struct {
	HashAlgorithm algorithmIdentifier
	HashedMessage []byte
}

type timeStampReq struct {
	Version        int
	MessageImprint messageImprint
	Nonce          *big.Int `asn1:"optional"`
	CertReq        bool     `asn1:"optional"`
}

// TimestampQuery is the DER TimeStampReq (RFC 3161 §2.4.1) for a sha256 digest, asking for the
// authority's certificate in the response, with a random nonce.
func TimestampQuery(sha256Digest []byte) ([]byte, error) {
	nonce, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 63))
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(timeStampReq{Version: 1, MessageImprint: messageImprint{
		HashAlgorithm: algorithmIdentifier{Algorithm: oidSHA256, Parameters: asn1.NullRawValue},
		HashedMessage: sha256Digest}, Nonce: nonce, CertReq: true})
}

// Timestamp is what breachline reads of a TimeStampResp.
type Timestamp struct {
	Status  int
	GenTime time.Time
	Imprint []byte // sha256 of the stamped data
}

// ParseTimestampResponse reads a DER TimeStampResp (a .tsr file): its status, and from the
// token's TSTInfo the time and the message imprint, which must be a sha256.
func ParseTimestampResponse(der []byte) (*Timestamp, error) {
	resp, err := elements(der)
	if err != nil {
		return nil, fmt.Errorf("not a TimeStampResp: %w", err)
	}
	status, err := elements(resp[0].FullBytes)
	if err != nil || len(status) == 0 {
		return nil, errors.New("not a TimeStampResp: no status")
	}
	ts := &Timestamp{}
	if _, err := asn1.Unmarshal(status[0].FullBytes, &ts.Status); err != nil {
		return nil, fmt.Errorf("status: %w", err)
	}
	if ts.Status > 1 {
		return ts, fmt.Errorf("the authority refused the request (PKIStatus %d)", ts.Status)
	}
	if len(resp) < 2 {
		return ts, errors.New("the response holds no time-stamp token")
	}
	var ci struct {
		ContentType asn1.ObjectIdentifier
		Content     asn1.RawValue `asn1:"explicit,tag:0"`
	}
	if _, err := asn1.Unmarshal(resp[1].FullBytes, &ci); err != nil || !ci.ContentType.Equal(oidSignedData) {
		return ts, errors.New("the token is not CMS SignedData")
	}
	// An explicitly tagged RawValue is the [0] wrapper; its Bytes are the element inside.
	sd, err := elements(ci.Content.Bytes)
	if err != nil || len(sd) < 3 {
		return ts, errors.New("the token's SignedData is malformed")
	}
	var encap struct {
		Type    asn1.ObjectIdentifier
		Content asn1.RawValue `asn1:"explicit,optional,tag:0"`
	}
	if _, err := asn1.Unmarshal(sd[2].FullBytes, &encap); err != nil || !encap.Type.Equal(oidTSTInfo) {
		return ts, errors.New("the token does not hold a TSTInfo")
	}
	var tst []byte
	if _, err := asn1.Unmarshal(encap.Content.Bytes, &tst); err != nil {
		return ts, errors.New("the TSTInfo is not an OCTET STRING")
	}
	info, err := elements(tst)
	if err != nil || len(info) < 5 {
		return ts, errors.New("the TSTInfo is malformed")
	}
	var mi messageImprint
	if _, err := asn1.Unmarshal(info[2].FullBytes, &mi); err != nil {
		return ts, fmt.Errorf("message imprint: %w", err)
	}
	if !mi.HashAlgorithm.Algorithm.Equal(oidSHA256) {
		return ts, fmt.Errorf("the message imprint is a %v digest, not sha256", mi.HashAlgorithm.Algorithm)
	}
	ts.Imprint = mi.HashedMessage
	if _, err := asn1.UnmarshalWithParams(info[4].FullBytes, &ts.GenTime, "generalized"); err != nil {
		return ts, fmt.Errorf("genTime: %w", err)
	}
	return ts, nil
}

// Matches reports whether the stamp is over data with this sha256.
func (t *Timestamp) Matches(sha256Digest []byte) bool { return bytes.Equal(t.Imprint, sha256Digest) }

// elements returns the elements of the DER SEQUENCE der.
func elements(der []byte) ([]asn1.RawValue, error) {
	var seq asn1.RawValue
	rest, err := asn1.Unmarshal(der, &seq)
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		return nil, errors.New("trailing data")
	}
	if seq.Class != asn1.ClassUniversal || seq.Tag != asn1.TagSequence || !seq.IsCompound {
		return nil, errors.New("not a SEQUENCE")
	}
	var out []asn1.RawValue
	b := seq.Bytes
	for len(b) > 0 {
		var v asn1.RawValue
		if b, err = asn1.Unmarshal(b, &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}
