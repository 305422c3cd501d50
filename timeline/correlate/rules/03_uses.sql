-- Uses (rule exposed-credential-used-novel): every event that presents an exposed credential,
-- or one derived from it, after the exposure (for a derived credential, after it was issued).
--
-- A credential's baseline is what presenting it looked like before its cutoff (02_exposed.sql:
-- the window's start, or its first suspicious read when earlier), not before its first exposure:
-- a secret its consumer reads every day would otherwise be exposed anew each morning and its
-- baseline would be nearly empty. An address (a user agent, likewise) is the owner's when
--   (a) the credential was presented from it before the cutoff, or
--   (b) the credential was presented from it between the cutoff and its first exposure (so it is
--       used both before and after the exposure, the use being examined coming after) and nothing
--       ties it to the intrusion: it matches no indicator, no suspicious read came from it (for a
--       user agent: with it), and it is not an ip-pivot address (04_links.sql).
-- Derived credentials share their root's baseline. A use is novel when its address or its user
-- agent is not the owner's, or when it matches an indicator. A use without an address (a cloud
-- service calling on the credential's behalf, logged with a host name) is never novel on the
-- address alone. Whether a novel use is misuse is decided in 04_links.sql.

-- What ties an address or a client to the intrusion, before the uses are known: the addresses
-- and user agents of suspicious reads. (Indicators are matched on each value; ip-pivot addresses
-- come from the uses themselves, 04_links.sql.)
CREATE TEMP TABLE suspicious_read_ips AS
SELECT DISTINCT src_ip_sid FROM read_classes WHERE class = 'suspicious' AND src_ip_sid IS NOT NULL;
CREATE UNIQUE INDEX temp.suspicious_read_ips_k ON suspicious_read_ips(src_ip_sid);
CREATE TEMP TABLE suspicious_read_uas AS
SELECT DISTINCT user_agent_sid FROM read_classes WHERE class = 'suspicious' AND user_agent_sid IS NOT NULL;
CREATE UNIQUE INDEX temp.suspicious_read_uas_k ON suspicious_read_uas(user_agent_sid);

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
SELECT e.rowid AS event_rowid, x.rowid AS exposed_rowid, e.time_ns < x.cutoff_ns AS before_cutoff
FROM exposed x
CROSS JOIN inventory_handles h ON h.credential = x.credential
CROSS JOIN strings s ON s.value = h.handle
CROSS JOIN events e ON e.credential_sid = s.id AND e.time_ns < x.exposed_ns
ORDER BY e.rowid;

CREATE TEMP TABLE baseline AS
SELECT x.credential, b.src_ip_sid, b.user_agent_sid, b.before_cutoff
FROM (SELECT DISTINCT b.exposed_rowid, e.src_ip_sid, e.user_agent_sid, b.before_cutoff
        FROM baseline_rows b CROSS JOIN events e ON e.rowid = b.event_rowid) b
CROSS JOIN exposed x ON x.rowid = b.exposed_rowid;
DROP TABLE temp.baseline_rows;

-- owner: the address (user agent) is the owner's by (a) or (b); tied: seen only after the cutoff
-- and tied to the intrusion, kept so that the reasons can say why it is not the owner's.
CREATE INDEX temp.baseline_credential ON baseline(credential);
CREATE TEMP TABLE baseline_ip AS
SELECT b.credential, b.src_ip_sid, max(b.before_cutoff) AS before_cutoff,
       max(b.before_cutoff) OR NOT (EXISTS (SELECT 1 FROM suspicious_read_ips r WHERE r.src_ip_sid = b.src_ip_sid)
                                    OR EXISTS (SELECT 1 FROM iocs c, strings si WHERE si.id = b.src_ip_sid
                                                 AND ((c.type = 'ip' AND c.value = si.value) OR (c.type = 'cidr' AND cidr_contains(c.value, si.value))))) AS owner
FROM baseline b WHERE b.src_ip_sid IS NOT NULL GROUP BY b.credential, b.src_ip_sid;
CREATE TEMP TABLE baseline_ua AS
SELECT b.credential, b.user_agent_sid, max(b.before_cutoff) AS before_cutoff,
       max(b.before_cutoff) OR NOT (EXISTS (SELECT 1 FROM suspicious_read_uas r WHERE r.user_agent_sid = b.user_agent_sid)
                                    OR EXISTS (SELECT 1 FROM iocs c, strings su WHERE su.id = b.user_agent_sid
                                                 AND c.type = 'user_agent' AND instr(su.value, c.value) > 0)) AS owner
FROM baseline b WHERE b.user_agent_sid IS NOT NULL GROUP BY b.credential, b.user_agent_sid;
CREATE UNIQUE INDEX temp.baseline_ip_k ON baseline_ip(credential, src_ip_sid);
CREATE UNIQUE INDEX temp.baseline_ua_k ON baseline_ua(credential, user_agent_sid);

-- The uses, in the same two steps as the baseline.
CREATE TEMP TABLE use_rows AS
SELECT e.rowid AS event_rowid, l.rowid AS lineage_rowid
FROM lineage l
CROSS JOIN events e ON e.credential_sid = l.handle_sid AND e.time_ns >= l.since_ns
ORDER BY e.rowid;

-- ip_seen (ua_seen): 2 when the address (user agent) is the owner's by (a), 1 by (b), 0 when it
-- was seen after the cutoff but is tied to the intrusion, NULL when never seen before the
-- exposure. proven: the credential's exposure is proven, so every use examined follows a proven
-- exposure (its uses start there).
CREATE TEMP TABLE use_facts AS
SELECT l.root AS credential, l.handle, l.parent AS via, u.event_rowid, e.eid, e.time_ns, e.raw_hash,
       e.evidence_id, e.action_sid, e.outcome_sid, e.principal_sid, e.src_ip_sid, e.user_agent_sid,
       (SELECT CASE WHEN b.before_cutoff THEN 2 WHEN b.owner THEN 1 ELSE 0 END FROM baseline_ip b
         WHERE b.credential = l.root AND b.src_ip_sid = e.src_ip_sid) AS ip_seen,
       (SELECT CASE WHEN b.before_cutoff THEN 2 WHEN b.owner THEN 1 ELSE 0 END FROM baseline_ua b
         WHERE b.credential = l.root AND b.user_agent_sid = e.user_agent_sid) AS ua_seen,
       NOT EXISTS (SELECT 1 FROM baseline b WHERE b.credential = l.root) AS no_baseline,
       x.proven_ns IS NOT NULL AS proven,
       -- Revocation concerns the revoked credential's own handles. A credential derived from it
       -- is not revoked with it (temporary AWS credentials outlive their parent key), and the
       -- derived-credential finding says when one was used after its parent's revocation.
       r.revoked_at, (r.revoked_ns IS NOT NULL AND e.time_ns > r.revoked_ns AND l.parent IS NULL) AS after_revocation,
       (r.revoked_ns IS NOT NULL AND e.time_ns > r.revoked_ns AND l.parent IS NOT NULL) AS after_parent_revocation
FROM use_rows u
CROSS JOIN events e ON e.rowid = u.event_rowid
CROSS JOIN lineage l ON l.rowid = u.lineage_rowid
CROSS JOIN exposed x ON x.credential = l.root
LEFT JOIN revocation r ON r.credential = l.root;
DROP TABLE temp.use_rows;

-- A use stored under two evidence files is one use (00_duplicates.sql).
INSERT INTO dup_scope SELECT event_rowid, raw_hash FROM use_facts;
INSERT OR IGNORE INTO duplicates SELECT * FROM scope_duplicates;
DELETE FROM temp.dup_scope;
DELETE FROM temp.use_facts WHERE event_rowid IN (SELECT event_rowid FROM duplicates);

-- The text of the uses that remain, the indicators they match, and whether each is new.
CREATE TEMP TABLE uses AS
SELECT f.*,
       (f.src_ip_sid IS NOT NULL AND coalesce(f.ip_seen, 0) = 0) AS new_ip,
       (f.user_agent_sid IS NOT NULL AND coalesce(f.ua_seen, 0) = 0) AS new_ua
FROM (
  SELECT u.*, lower(hex(u.eid)) AS event_id, time_text(u.time_ns) AS time, v.format AS source, sa.value AS action,
         so.value AS outcome, sp.value AS principal, si.value AS src_ip, su.value AS user_agent,
         (SELECT group_concat(DISTINCT c.type || ' ' || c.value ORDER BY c.type || ' ' || c.value)
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
) f;
DROP TABLE temp.use_facts;
CREATE INDEX temp.uses_credential ON uses(credential, time_ns);
