package timeline

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"net/netip"
	"time"

	"github.com/breachline/breachline/normalize"

	"github.com/mattn/go-sqlite3"
)

// driverName is go-sqlite3 with breachline's SQL functions registered on every connection.
const driverName = "sqlite3_breachline"

func init() {
	sql.Register(driverName, &sqlite3.SQLiteDriver{
		ConnectHook: func(conn *sqlite3.SQLiteConn) error {
			if err := conn.RegisterFunc("cidr_contains", cidrContains, true); err != nil {
				return err
			}
			if err := conn.RegisterFunc("time_text", timeText, true); err != nil {
				return err
			}
			return conn.RegisterFunc("sha256_hex", sha256Hex, true)
		},
	})
}

// cidrContains reports whether the address ip lies in the prefix cidr (or equals it, when cidr
// is a bare address). SQL engines for network data have the same operator (PostgreSQL's <<=,
// Presto's contains); SQLite needs it registered. The correlator calls it only on the few rows
// that IOCs are checked against, never per event of the case.
func cidrContains(cidr, ip string) bool {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	a = a.Unmap()
	if p, err := netip.ParsePrefix(cidr); err == nil {
		return p.Masked().Contains(a)
	}
	if b, err := netip.ParseAddr(cidr); err == nil {
		return b.Unmap() == a
	}
	return false
}

// sha256Hex returns the hex sha256 of s, for deterministic ids of derived rows (findings) built
// from their content; other engines have it built in (Presto's to_hex(sha256(…))).
func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// timeText renders an events.time_ns value in normalize.TimeLayout, the event model's form of a
// time, for the correlator's result tables; NULL stays NULL. The events_v view does the same in
// plain SQL (timeSQL), so that any SQLite reads it; the function keeps the rules readable.
func timeText(ns any) any {
	v, ok := ns.(int64)
	if !ok {
		return nil
	}
	return normalize.FormatTime(time.Unix(0, v))
}

// CIDRContains is cidr_contains, for another engine that runs the rules.
func CIDRContains(cidr, ip string) bool { return cidrContains(cidr, ip) }
