package correlate

import (
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"

	"github.com/breachline/breachline/normalize"
)

// Indicator is one indicator of compromise: an address, a network, a principal or a user agent
// known to be the intruder's.
type Indicator struct {
	Type  string // ip, cidr, principal, user_agent
	Value string
	Note  string
}

// ReadIndicators reads a CSV file with the header type,value,note.
func ReadIndicators(path string) ([]Indicator, string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(b)
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(b), "\ufeff")))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, "", fmt.Errorf("%s: no header row: %w", path, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	if _, ok := col["type"]; !ok {
		return nil, "", fmt.Errorf("%s:1: the header must name the columns type,value,note", path)
	}
	if _, ok := col["value"]; !ok {
		return nil, "", fmt.Errorf("%s:1: the header must name the columns type,value,note", path)
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var out []Indicator
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, hex.EncodeToString(sum[:]), nil
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			return nil, "", fmt.Errorf("%s:%d: %w", path, line, err)
		}
		ind := Indicator{Type: strings.ToLower(get(rec, "type")), Value: get(rec, "value"), Note: get(rec, "note")}
		if err := ind.check(); err != nil {
			return nil, "", fmt.Errorf("%s:%d: %w", path, line, err)
		}
		out = append(out, ind)
	}
}

func (ind *Indicator) check() error {
	if ind.Value == "" {
		return errors.New("value is empty")
	}
	switch ind.Type {
	case "ip":
		ip, _ := normalize.SplitAddress(ind.Value)
		if ip == "" {
			return fmt.Errorf("%q is not an IP address", ind.Value)
		}
		ind.Value = ip
	case "cidr":
		p, err := netip.ParsePrefix(ind.Value)
		if err != nil {
			return fmt.Errorf("%q is not a CIDR prefix", ind.Value)
		}
		ind.Value = p.Masked().String()
	case "principal", "user_agent":
	default:
		return fmt.Errorf("type %q is not one of ip, cidr, principal, user_agent", ind.Type)
	}
	return nil
}
