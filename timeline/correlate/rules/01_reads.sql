-- Exposures (rule suspicious-secret-read): every read of a secret named in the inventory.
--
-- Inputs: events (category secret_read), inventory, iocs, params (the incident window).
-- A read names a secret in secret_ref and, for batch reads, in attrs.secret_refs. It matches an
-- inventory secret when the two references are equal after normalisation (an AWS Secrets Manager
-- ARN is also compared by secret name, without the six random characters AWS appends), or when
-- the read is a listing ending in /* (k8s:<ns>/*, vault:<mount>/<prefix>/*, aws-ssm:<path>/*)
-- whose prefix the inventory secret starts with.

CREATE TEMP TABLE read_refs AS
SELECT e.id AS event_id, e.secret_ref AS ref, e.rowid AS event_rowid, e.raw_sha256
FROM events e
WHERE e.category = 'secret_read' AND e.secret_ref IS NOT NULL
UNION
SELECT e.id, j.value, e.rowid, e.raw_sha256
FROM events e, json_each(e.attrs, '$.secret_refs') j
WHERE e.category = 'secret_read' AND e.attrs IS NOT NULL AND json_type(e.attrs, '$.secret_refs') = 'array';

-- ref_keys gives each reference its comparison key: an aws-sm ARN is keyed by its secret name.
CREATE TEMP TABLE read_keys AS
SELECT event_id, event_rowid, raw_sha256, ref,
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

CREATE TEMP TABLE read_match AS
SELECT r.event_id, i.secret_ref, r.ref AS read_ref, 0 AS listing, r.event_rowid, r.raw_sha256
FROM read_keys r JOIN inventory_keys i ON i.key = r.key
UNION
SELECT r.event_id, i.secret_ref, r.ref, 1, r.event_rowid, r.raw_sha256
FROM read_keys r JOIN inventory_keys i
  ON r.listing AND substr(i.secret_ref, 1, length(r.ref) - 1) = substr(r.ref, 1, length(r.ref) - 1);
CREATE INDEX temp.read_match_secret ON read_match(secret_ref, event_id);

-- A read stored under two evidence files is one read: its duplicates leave the match here, so
-- every rule after this one sees the canonical event only (00_duplicates.sql).
INSERT INTO dup_scope SELECT event_rowid, raw_sha256 FROM read_match;
INSERT OR IGNORE INTO duplicates SELECT * FROM scope_duplicates;
DELETE FROM temp.dup_scope;
DELETE FROM temp.read_match WHERE event_id IN (SELECT event_id FROM duplicates);

-- The facts each classification rests on. A read logged without an outcome (Vault's request
-- record) is left to its sibling record of the same request (the response) when there is one.
CREATE TEMP TABLE read_facts AS
SELECT m.event_id, m.secret_ref, m.read_ref, m.listing, e.time, e.principal, e.src_ip, e.user_agent, e.outcome,
       (e.time >= p.window_start AND e.time < p.window_end) AS in_window,
       (SELECT group_concat(DISTINCT c.type || ' ' || c.value || CASE WHEN c.note <> '' THEN ' (' || c.note || ')' ELSE '' END)
          FROM iocs c
         WHERE (c.type = 'ip' AND c.value = e.src_ip)
            OR (c.type = 'cidr' AND e.src_ip IS NOT NULL AND cidr_contains(c.value, e.src_ip))
            OR (c.type = 'principal' AND c.value = e.principal)
            OR (c.type = 'user_agent' AND instr(e.user_agent, c.value) > 0)) AS ioc,
       EXISTS (SELECT 1 FROM inventory i, json_each(i.consumers) c
                WHERE i.secret_ref = m.secret_ref AND c.value = e.principal) AS consumer,
       EXISTS (SELECT 1 FROM read_match m2 JOIN events e2 ON e2.id = m2.event_id
                WHERE m2.secret_ref = m.secret_ref AND e2.principal = e.principal AND m2.event_id <> m.event_id
                  AND e2.outcome = 'success' AND e2.time < p.window_start) AS read_before,
       NOT EXISTS (SELECT 1 FROM read_match m3 JOIN events e3 ON e3.id = m3.event_id
                    WHERE m3.secret_ref = m.secret_ref AND e3.principal = e.principal
                      AND e3.outcome = 'success' AND e3.time < e.time) AS first_time,
       e.principal IS NULL OR NOT EXISTS (SELECT 1 FROM events e4 WHERE e4.principal = e.principal AND e4.time < p.window_start) AS absent_before
FROM read_match m JOIN events e ON e.id = m.event_id, params p
WHERE NOT (e.outcome = 'unknown' AND e.request_id IS NOT NULL AND EXISTS (
  SELECT 1 FROM events s WHERE s.secret_ref = e.secret_ref AND s.request_id = e.request_id
     AND s.source = e.source AND s.id <> e.id AND s.outcome <> 'unknown'));

INSERT INTO exposures(event_id, time, secret_ref, read_ref, principal, src_ip, outcome, in_window, class, proves, reasons)
SELECT event_id, time, secret_ref, read_ref, principal, src_ip, outcome, in_window, class,
       -- A suspicious successful read in the window proves exposure; a Vault LIST returns only
       -- key names, so a listing of a Vault path shows possible exposure at most, as does a read
       -- whose outcome was not logged.
       (class = 'suspicious' AND in_window AND outcome = 'success' AND NOT (listing AND read_ref LIKE 'vault:%')),
       reasons
FROM (
  SELECT f.*,
         CASE WHEN outcome = 'failure' THEN 'attempt'
              WHEN ioc IS NOT NULL THEN 'suspicious'
              WHEN consumer OR read_before THEN 'expected'
              WHEN NOT in_window THEN 'expected'
              ELSE 'suspicious' END AS class,
         (SELECT json_group_array(reason) FROM (
            SELECT 'read failed: an attempt' AS reason WHERE f.outcome = 'failure'
            UNION ALL SELECT 'outcome not logged' WHERE f.outcome = 'unknown'
            UNION ALL SELECT 'matches indicator ' || f.ioc WHERE f.ioc IS NOT NULL
            UNION ALL SELECT 'declared consumer of the secret' WHERE f.consumer
            UNION ALL SELECT 'read this secret before the window' WHERE f.read_before
            UNION ALL SELECT 'first time this principal reads the secret' WHERE f.first_time AND NOT f.consumer
            UNION ALL SELECT 'principal absent from the evidence before the window' WHERE f.absent_before AND NOT f.consumer AND f.in_window
            UNION ALL SELECT 'read before the incident window (baseline)' WHERE NOT f.in_window
            UNION ALL SELECT 'listing: exposes every secret under ' || f.read_ref WHERE f.listing
         )) AS reasons
  FROM read_facts f
)
ORDER BY time, event_id, secret_ref;
