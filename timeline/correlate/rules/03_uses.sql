-- Uses (rule exposed-credential-used-novel): every event that presents an exposed credential,
-- or one derived from it, after the exposure (for a derived credential, after it was issued).
--
-- A credential's baseline is what presenting it looked like before its first exposure: the
-- addresses and user agents seen with any of its handles. Derived credentials share their
-- root's baseline. A use is novel when its address or its user agent is outside the baseline,
-- or when it matches an indicator. A novel use that was not refused is a misuse; refused ones
-- are attempts, kept and cited but not counted as misuse. A use without an address (a cloud service calling on the
-- credential's behalf, logged with a host name) is never novel on the address alone.

-- Addresses and user agents are compared by their strings ids; an inventory handle meets the
-- events through its id in strings. The CROSS JOINs fix the order (SQLite does not reorder
-- them): from the credentials to their events by index, whatever the planner guesses of the
-- temporary tables' sizes.
--
-- The events are found in two steps: the index alone gives their rowids, which are then read in
-- rowid order. Read in the index's order (credential, time), each event would sit on another
-- page of the table than the one before; in rowid order the pages come in file order, each read
-- once for all its events. (On the benchmark's case the baseline takes half the time so.)
CREATE TEMP TABLE baseline_rows AS
SELECT e.rowid AS event_rowid, x.rowid AS exposed_rowid
FROM exposed x
CROSS JOIN inventory_handles h ON h.credential = x.credential
CROSS JOIN strings s ON s.value = h.handle
CROSS JOIN events e ON e.credential_sid = s.id AND e.time_ns < x.exposed_ns
ORDER BY e.rowid;

CREATE TEMP TABLE baseline AS
SELECT x.credential, b.src_ip_sid, b.user_agent_sid
FROM (SELECT DISTINCT b.exposed_rowid, e.src_ip_sid, e.user_agent_sid
        FROM baseline_rows b CROSS JOIN events e ON e.rowid = b.event_rowid) b
CROSS JOIN exposed x ON x.rowid = b.exposed_rowid;
DROP TABLE temp.baseline_rows;

CREATE INDEX temp.baseline_credential ON baseline(credential);
CREATE TEMP TABLE baseline_ip AS SELECT DISTINCT credential, src_ip_sid FROM baseline WHERE src_ip_sid IS NOT NULL;
CREATE TEMP TABLE baseline_ua AS SELECT DISTINCT credential, user_agent_sid FROM baseline WHERE user_agent_sid IS NOT NULL;
CREATE INDEX temp.baseline_ip_k ON baseline_ip(credential, src_ip_sid);
CREATE INDEX temp.baseline_ua_k ON baseline_ua(credential, user_agent_sid);

-- The uses, in the same two steps as the baseline.
CREATE TEMP TABLE use_rows AS
SELECT e.rowid AS event_rowid, l.rowid AS lineage_rowid
FROM lineage l
CROSS JOIN events e ON e.credential_sid = l.handle_sid AND e.time_ns >= l.since_ns
ORDER BY e.rowid;

CREATE TEMP TABLE use_facts AS
SELECT l.root AS credential, l.handle, l.parent AS via, u.event_rowid, e.eid, e.time_ns, e.raw_hash,
       e.evidence_id, e.action_sid, e.outcome_sid, e.principal_sid, e.src_ip_sid, e.user_agent_sid,
       (e.src_ip_sid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM baseline_ip b WHERE b.credential = l.root AND b.src_ip_sid = e.src_ip_sid)) AS new_ip,
       (e.user_agent_sid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM baseline_ua b WHERE b.credential = l.root AND b.user_agent_sid = e.user_agent_sid)) AS new_ua,
       NOT EXISTS (SELECT 1 FROM baseline b WHERE b.credential = l.root) AS no_baseline,
       -- Revocation concerns the revoked credential's own handles. A credential derived from it
       -- is not revoked with it (temporary AWS credentials outlive their parent key), and the
       -- derived-credential finding says when one was used after its parent's revocation.
       r.revoked_at, (r.revoked_ns IS NOT NULL AND e.time_ns > r.revoked_ns AND l.parent IS NULL) AS after_revocation,
       (r.revoked_ns IS NOT NULL AND e.time_ns > r.revoked_ns AND l.parent IS NOT NULL) AS after_parent_revocation
FROM use_rows u
CROSS JOIN events e ON e.rowid = u.event_rowid
CROSS JOIN lineage l ON l.rowid = u.lineage_rowid
LEFT JOIN revocation r ON r.credential = l.root;
DROP TABLE temp.use_rows;

-- A use stored under two evidence files is one use (00_duplicates.sql).
INSERT INTO dup_scope SELECT event_rowid, raw_hash FROM use_facts;
INSERT OR IGNORE INTO duplicates SELECT * FROM scope_duplicates;
DELETE FROM temp.dup_scope;
DELETE FROM temp.use_facts WHERE event_rowid IN (SELECT event_rowid FROM duplicates);

INSERT INTO credential_uses(credential, handle, via, event_id, time, source, action, outcome, principal, src_ip,
                            user_agent, novel, after_revocation, reasons)
SELECT credential, handle, via, event_id, time, source, action, outcome, principal, src_ip, user_agent,
       (new_ip OR new_ua OR ioc IS NOT NULL) AS novel, after_revocation,
       (SELECT json_group_array(reason) FROM (
          SELECT 'address ' || f.src_ip || ' not seen with this credential before its exposure' AS reason WHERE f.new_ip AND NOT f.no_baseline
          UNION ALL SELECT 'no use of this credential before its exposure: every address is new' WHERE f.new_ip AND f.no_baseline
          UNION ALL SELECT 'user agent not seen with this credential before its exposure' WHERE f.new_ua AND NOT f.new_ip
          UNION ALL SELECT 'matches indicator ' || f.ioc WHERE f.ioc IS NOT NULL
          UNION ALL SELECT 'derived from ' || f.via WHERE f.via IS NOT NULL
          UNION ALL SELECT 'after the credential was revoked at ' || f.revoked_at WHERE f.after_revocation
          UNION ALL SELECT 'after the credential it derives from was revoked at ' || f.revoked_at WHERE f.after_parent_revocation
       )) AS reasons
FROM (
  -- The text of the uses that remain, and the indicators they match.
  SELECT u.*, lower(hex(u.eid)) AS event_id, time_text(u.time_ns) AS time, v.format AS source, sa.value AS action,
         so.value AS outcome, sp.value AS principal, si.value AS src_ip, su.value AS user_agent,
         (SELECT group_concat(DISTINCT c.type || ' ' || c.value)
            FROM iocs c
           WHERE (c.type = 'ip' AND c.value = si.value)
              OR (c.type = 'cidr' AND si.value IS NOT NULL AND cidr_contains(c.value, si.value))
              OR (c.type = 'principal' AND c.value = sp.value)
              OR (c.type = 'user_agent' AND instr(su.value, c.value) > 0)) AS ioc
  FROM use_facts u
  JOIN evidence v ON v.id = u.evidence_id
  LEFT JOIN strings sa ON sa.id = u.action_sid
  JOIN strings so ON so.id = u.outcome_sid
  LEFT JOIN strings sp ON sp.id = u.principal_sid
  LEFT JOIN strings si ON si.id = u.src_ip_sid
  LEFT JOIN strings su ON su.id = u.user_agent_sid
) f
ORDER BY credential, time_ns, eid, handle;
