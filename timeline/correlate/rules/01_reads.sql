-- Exposures (rule suspicious-secret-read): every read of a secret named in the inventory.
--
-- Inputs: events (category secret_read), inventory, iocs, params (the incident window).
-- A read names a secret in secret_ref and, for batch reads, in attrs.secret_refs. It matches an
-- inventory secret when the two references are equal after normalisation (an AWS Secrets Manager
-- ARN is also compared by secret name, without the six random characters AWS appends), or when
-- the read is a listing ending in /* (k8s:<ns>/*, vault:<mount>/<prefix>/*, aws-ssm:<path>/*)
-- whose prefix the inventory secret starts with.

-- The reads are key events (00_key_events.sql); only batch reads go back to the events table,
-- for their attrs.
CREATE TEMP TABLE read_refs AS
SELECT k.event_rowid, s.value AS ref
FROM key_events k JOIN strings s ON s.id = k.secret_ref_sid
WHERE k.category_sid = 1
UNION
SELECT k.event_rowid, j.value
FROM key_events k
LEFT JOIN attr_paths a ON a.shape_sid = k.attrs_shape_sid AND a.name = 'secret_refs'
CROSS JOIN events e ON e.rowid = k.event_rowid,
     json_each(e.attrs, CASE WHEN k.attrs_shape_sid IS NULL THEN '$.secret_refs' ELSE a.path END) j
WHERE k.category_sid = 1 AND k.has_attrs AND (k.attrs_shape_sid IS NULL OR a.path IS NOT NULL)
  AND json_type(e.attrs, CASE WHEN k.attrs_shape_sid IS NULL THEN '$.secret_refs' ELSE a.path END) = 'array';

-- ref_keys gives each reference its comparison key: an aws-sm ARN is keyed by its secret name.
CREATE TEMP TABLE read_keys AS
SELECT event_rowid, ref,
       CASE WHEN ref LIKE 'aws-sm:arn:%:secret:%' THEN
              'aws-sm:' || CASE WHEN substr(substr(ref, instr(ref, ':secret:') + 8), -7, 1) = '-'
                                THEN substr(substr(ref, instr(ref, ':secret:') + 8), 1, length(substr(ref, instr(ref, ':secret:') + 8)) - 7)
                                ELSE substr(ref, instr(ref, ':secret:') + 8) END
            ELSE ref END AS key,
       ref LIKE '%/*' AS listing
FROM read_refs;

CREATE TEMP TABLE inventory_keys AS
SELECT DISTINCT secret_ref,
       CASE WHEN secret_ref LIKE 'aws-sm:arn:%:secret:%' THEN
              'aws-sm:' || CASE WHEN substr(substr(secret_ref, instr(secret_ref, ':secret:') + 8), -7, 1) = '-'
                                THEN substr(substr(secret_ref, instr(secret_ref, ':secret:') + 8), 1, length(substr(secret_ref, instr(secret_ref, ':secret:') + 8)) - 7)
                                ELSE substr(secret_ref, instr(secret_ref, ':secret:') + 8) END
            ELSE secret_ref END AS key
FROM inventory;
CREATE INDEX temp.inventory_keys_key ON inventory_keys(key);

-- A match carries what the classification compares across reads of one secret.
CREATE TEMP TABLE read_match AS
SELECT m.event_rowid, m.secret_ref, m.read_ref, m.listing, k.principal_sid, k.outcome_sid, k.time_ns, k.raw_hash
FROM (
  SELECT r.event_rowid, i.secret_ref, r.ref AS read_ref, 0 AS listing
  FROM read_keys r JOIN inventory_keys i ON i.key = r.key
  UNION
  SELECT r.event_rowid, i.secret_ref, r.ref, 1
  FROM read_keys r JOIN inventory_keys i
    ON r.listing AND substr(i.secret_ref, 1, length(r.ref) - 1) = substr(r.ref, 1, length(r.ref) - 1)
) m
CROSS JOIN key_events k ON k.event_rowid = m.event_rowid;
CREATE INDEX temp.read_match_secret ON read_match(secret_ref, principal_sid, time_ns);

-- A read stored under two evidence files is one read: its duplicates leave the match here, so
-- every rule after this one sees the canonical event only (00_duplicates.sql).
INSERT INTO dup_scope SELECT event_rowid, raw_hash FROM read_match;
INSERT OR IGNORE INTO duplicates SELECT * FROM scope_duplicates;
DELETE FROM temp.dup_scope;
DELETE FROM temp.read_match WHERE event_rowid IN (SELECT event_rowid FROM duplicates);

-- What the classification asks of each reader and secret, asked once: the secrets' declared
-- consumers, and whether a reader appears in the evidence before the window.
CREATE TEMP TABLE consumers AS
SELECT DISTINCT i.secret_ref, c.value AS principal FROM inventory i, json_each(i.consumers) c;
CREATE INDEX temp.consumers_k ON consumers(secret_ref, principal);

CREATE TEMP TABLE readers AS
SELECT r.principal_sid,
       EXISTS (SELECT 1 FROM events e WHERE e.principal_sid = r.principal_sid AND e.time_ns < p.window_start_ns) AS seen_before
FROM (SELECT DISTINCT principal_sid FROM read_match WHERE principal_sid IS NOT NULL) r, params p;
CREATE UNIQUE INDEX temp.readers_principal ON readers(principal_sid);

-- The facts each classification rests on. A read logged without an outcome (Vault's request
-- record) is left to its sibling record of the same request (the response) when there is one.
-- The CROSS JOINs keep the planner from reaching the matched reads from the evidence side
-- (SQLite does not reorder them).
CREATE TEMP TABLE read_facts AS
SELECT m.event_rowid, e.eid, m.secret_ref, m.read_ref, m.listing, e.time_ns, e.outcome_sid,
       e.principal_sid, e.src_ip_sid, e.user_agent_sid, e.credential_sid,
       sp.value AS principal, si.value AS src_ip, so.value AS outcome,
       (e.time_ns >= p.window_start_ns AND e.time_ns < p.window_end_ns) AS in_window,
       (SELECT group_concat(DISTINCT c.type || ' ' || c.value || CASE WHEN c.note <> '' THEN ' (' || c.note || ')' ELSE '' END
                            ORDER BY c.type || ' ' || c.value || CASE WHEN c.note <> '' THEN ' (' || c.note || ')' ELSE '' END)
          FROM iocs c
         WHERE (c.type = 'ip' AND c.value = si.value)
            OR (c.type = 'cidr' AND si.value IS NOT NULL AND cidr_contains(c.value, si.value))
            OR (c.type = 'principal' AND c.value = sp.value)
            OR (c.type = 'user_agent' AND instr(su.value, c.value) > 0)) AS ioc,
       EXISTS (SELECT 1 FROM consumers c WHERE c.secret_ref = m.secret_ref AND c.principal = sp.value) AS consumer,
       EXISTS (SELECT 1 FROM read_match m2
                WHERE m2.secret_ref = m.secret_ref AND m2.principal_sid = m.principal_sid AND m2.event_rowid <> m.event_rowid
                  AND m2.outcome_sid = 12 AND m2.time_ns < p.window_start_ns) AS read_before,
       NOT EXISTS (SELECT 1 FROM read_match m3
                    WHERE m3.secret_ref = m.secret_ref AND m3.principal_sid = m.principal_sid
                      AND m3.outcome_sid = 12 AND m3.time_ns < m.time_ns) AS first_time,
       e.principal_sid IS NULL OR NOT (SELECT seen_before FROM readers r WHERE r.principal_sid = e.principal_sid) AS absent_before
FROM params p
CROSS JOIN read_match m
CROSS JOIN key_events e ON e.event_rowid = m.event_rowid
CROSS JOIN evidence v ON v.id = e.evidence_id
LEFT JOIN strings sp ON sp.id = e.principal_sid
LEFT JOIN strings si ON si.id = e.src_ip_sid
LEFT JOIN strings su ON su.id = e.user_agent_sid
CROSS JOIN strings so ON so.id = e.outcome_sid
WHERE NOT (e.outcome_sid = 14 AND e.request_id IS NOT NULL AND EXISTS (
  SELECT 1 FROM events s CROSS JOIN evidence sv ON sv.id = s.evidence_id
   WHERE s.secret_ref_sid = e.secret_ref_sid AND s.request_id = e.request_id
     AND sv.format = v.format AND s.rowid <> e.event_rowid AND s.outcome_sid <> 14));

CREATE TEMP TABLE read_classes AS
SELECT f.*,
       -- A suspicious successful read in the window proves exposure; a Vault LIST returns only
       -- key names, so a listing of a Vault path shows possible exposure at most, as does a read
       -- whose outcome was not logged.
       (class = 'suspicious' AND in_window AND outcome_sid = 12 AND NOT (listing AND read_ref LIKE 'vault:%')) AS proves
FROM (
  SELECT f.*,
         CASE WHEN outcome_sid = 13 THEN 'attempt'
              WHEN ioc IS NOT NULL THEN 'suspicious'
              WHEN consumer OR read_before THEN 'expected'
              WHEN NOT in_window THEN 'expected'
              ELSE 'suspicious' END AS class,
         (SELECT json_group_array(reason ORDER BY n) FROM (
            SELECT 1 AS n, 'read failed: an attempt' AS reason WHERE f.outcome_sid = 13
            UNION ALL SELECT 2, 'outcome not logged' WHERE f.outcome_sid = 14
            UNION ALL SELECT 3, 'matches indicator ' || f.ioc WHERE f.ioc IS NOT NULL
            UNION ALL SELECT 4, 'declared consumer of the secret' WHERE f.consumer
            UNION ALL SELECT 5, 'read this secret before the window' WHERE f.read_before
            UNION ALL SELECT 6, 'first time this principal reads the secret' WHERE f.first_time AND NOT f.consumer
            UNION ALL SELECT 7, 'principal absent from the evidence before the window' WHERE f.absent_before AND NOT f.consumer AND f.in_window
            UNION ALL SELECT 8, 'read before the incident window (baseline)' WHERE NOT f.in_window
            UNION ALL SELECT 9, 'listing: exposes every secret under ' || f.read_ref WHERE f.listing
         )) AS reasons
  FROM read_facts f
) f;
CREATE INDEX temp.read_classes_secret ON read_classes(secret_ref);
CREATE INDEX temp.read_classes_credential ON read_classes(credential_sid);
CREATE INDEX temp.read_classes_principal ON read_classes(principal_sid, src_ip_sid);

-- The classes can still change: a consumer's read turns suspicious when the intrusion is found to
-- have acted as that consumer (rule 04_links.sql, which runs the exposure rules again until no
-- read changes). The exposures table is written once they are final (05_findings.sql).
