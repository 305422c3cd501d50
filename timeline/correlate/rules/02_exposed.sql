-- Exposed credentials: the credentials of secrets with a suspicious successful read in the window
-- are proven exposed from the first such read; those of secrets with any read in the window that
-- did not fail (its outcome may be unlogged) are possibly exposed from the first one. A
-- credential's first exposure is the one that gives it its status: the first proving read, else
-- the first read in the window.
--
-- This file, 03_uses.sql and 04_links.sql are one round: when 04_links.sql turns a consumer's read
-- suspicious, the round runs again on the new classes (correlate.go).
--
-- cutoff_ns ends the credential's baseline (03_uses.sql): the window's start, or its first
-- suspicious read (of any of its secrets, refused ones aside) when that is earlier.
CREATE TEMP TABLE exposed AS
SELECT credential, proven_ns, possible_ns, coalesce(proven_ns, possible_ns) AS exposed_ns,
       CASE WHEN proven_ns IS NOT NULL THEN time_text(proven_ns) END AS proven_at,
       time_text(possible_ns) AS possible_at,
       time_text(coalesce(proven_ns, possible_ns)) AS exposed_at,
       min(coalesce(suspicious_ns, window_start_ns), window_start_ns) AS cutoff_ns
FROM (
  SELECT i.credential,
         min(CASE WHEN x.proves THEN x.time_ns END) AS proven_ns,
         min(CASE WHEN x.outcome_sid <> 13 AND x.in_window THEN x.time_ns END) AS possible_ns,
         min(CASE WHEN x.class = 'suspicious' AND x.outcome_sid <> 13 THEN x.time_ns END) AS suspicious_ns
  FROM inventory i JOIN read_classes x ON x.secret_ref = i.secret_ref
  GROUP BY i.credential
), params
WHERE possible_ns IS NOT NULL;
CREATE UNIQUE INDEX temp.exposed_credential ON exposed(credential);

-- Lineage (rule derived-credential): a credential issued by a call made with an exposed
-- credential, at or after its exposure, is exposed too, from the moment it was issued; so are
-- those it issues in turn. Every step is kept first, so that the duplicates of an issue can be
-- set aside before each credential keeps the first issue that made it. A handle is followed in
-- the events by its strings id (handle_sid), NULL when no event presents it.
CREATE TEMP TABLE issues AS
SELECT event_rowid, eid, credential_sid, time_ns, raw_hash, issued, (SELECT id FROM strings WHERE value = issued) AS issued_sid
FROM (
  SELECT k.event_rowid, k.eid, k.credential_sid, k.time_ns, k.raw_hash,
         CASE WHEN k.attrs_shape_sid IS NULL THEN json_extract(e.attrs, '$.issued_credential')
              WHEN json_type(e.attrs, a.path) = 'array' THEN (SELECT value FROM strings WHERE id = json_extract(e.attrs, a.path || '[0]'))
              ELSE json_extract(e.attrs, a.path) END AS issued
  FROM key_events k
  LEFT JOIN attr_paths a ON a.shape_sid = k.attrs_shape_sid AND a.name = 'issued_credential'
  CROSS JOIN events e ON e.rowid = k.event_rowid
  WHERE k.category_sid = 3 AND k.outcome_sid <> 13 AND k.credential_sid IS NOT NULL AND k.has_attrs
    AND (k.attrs_shape_sid IS NULL OR a.path IS NOT NULL)
)
WHERE issued IS NOT NULL;
CREATE INDEX temp.issues_credential ON issues(credential_sid, time_ns);

CREATE TEMP TABLE lineage_steps AS
WITH RECURSIVE l(root, handle, handle_sid, parent, since_ns, issue_rowid, issue_eid, depth) AS (
  SELECT x.credential, h.handle, s.id, CAST(NULL AS TEXT), x.exposed_ns, CAST(NULL AS INTEGER), CAST(NULL AS BLOB), 0
  FROM exposed x JOIN inventory_handles h ON h.credential = x.credential
  LEFT JOIN strings s ON s.value = h.handle
  UNION
  SELECT l.root, i.issued, i.issued_sid, l.handle, i.time_ns, i.event_rowid, i.eid, l.depth + 1
  FROM l JOIN issues i ON i.credential_sid = l.handle_sid AND i.time_ns >= l.since_ns
  WHERE l.depth < 8
)
SELECT * FROM l;

INSERT INTO dup_scope SELECT event_rowid, raw_hash FROM issues WHERE event_rowid IN (SELECT issue_rowid FROM lineage_steps);
INSERT OR IGNORE INTO duplicates SELECT * FROM scope_duplicates;
DELETE FROM temp.dup_scope;

-- A credential issued more than once (or reached by two paths) keeps its earliest issue, then
-- the shallowest, then the lowest event id: the same on every run. The text of since and of the
-- issue's id are for the findings.
CREATE TEMP TABLE lineage AS
SELECT root, handle, handle_sid, parent, since_ns, time_text(since_ns) AS since, issue_rowid,
       CASE WHEN issue_eid IS NOT NULL THEN lower(hex(issue_eid)) END AS issue_event, depth FROM (
  SELECT root, handle, handle_sid, parent, issue_rowid, issue_eid,
         min(since_ns) OVER c AS since_ns, min(depth) OVER c AS depth,
         row_number() OVER (c ORDER BY since_ns, depth, issue_eid) AS n
  FROM lineage_steps
  WHERE issue_rowid IS NULL OR issue_rowid NOT IN (SELECT event_rowid FROM duplicates)
  WINDOW c AS (PARTITION BY root, handle)
) WHERE n = 1;

CREATE INDEX temp.lineage_handle ON lineage(handle);
CREATE INDEX temp.lineage_handle_sid ON lineage(handle_sid);
CREATE INDEX temp.lineage_root ON lineage(root, depth);

-- A string attribute that repeats is stored as [id], its id in strings (timeline/attrscodec.go):
-- issued_credential and revoked_credential are read through it.
--
-- Revocation: the first successful revoke of any handle of a credential (a revoke names the
-- credential in attrs.revoked_credential, or revokes the one it presents), or the inventory's
-- revoked_at, whichever is earlier. revoked_ns is its time for comparing with events; the
-- inventory's revoked_at is normalize.TimeLayout text, whose seconds unixepoch reads.
CREATE TEMP TABLE revokes AS
SELECT handle, time_ns, eid, event_rowid, raw_hash FROM (
  SELECT coalesce(CASE WHEN k.attrs_shape_sid IS NULL THEN json_extract(e.attrs, '$.revoked_credential')
                       WHEN json_type(e.attrs, a.path) = 'array' THEN (SELECT value FROM strings WHERE id = json_extract(e.attrs, a.path || '[0]'))
                       ELSE json_extract(e.attrs, a.path) END,
                  (SELECT value FROM strings WHERE id = k.credential_sid)) AS handle,
         k.time_ns, k.eid, k.event_rowid, k.raw_hash
  FROM key_events k
  LEFT JOIN attr_paths a ON a.shape_sid = k.attrs_shape_sid AND a.name = 'revoked_credential'
  CROSS JOIN events e ON e.rowid = k.event_rowid
  WHERE k.category_sid = 4 AND k.outcome_sid <> 13
)
WHERE handle IS NOT NULL;

INSERT INTO dup_scope SELECT event_rowid, raw_hash FROM revokes;
INSERT OR IGNORE INTO duplicates SELECT * FROM scope_duplicates;
DELETE FROM temp.dup_scope;
DELETE FROM temp.revokes WHERE event_rowid IN (SELECT event_rowid FROM duplicates);
CREATE INDEX temp.revokes_handle ON revokes(handle);

CREATE TEMP TABLE revocation AS
SELECT credential, revoked_at, revoked_ns, event_id FROM (
  SELECT credential, t AS revoked_at, ns AS revoked_ns, event_id,
         row_number() OVER (PARTITION BY credential ORDER BY t, event_id IS NULL, event_id) AS n
  FROM (
    SELECT h.credential, time_text(r.time_ns) AS t, r.time_ns AS ns, lower(hex(r.eid)) AS event_id
    FROM revokes r JOIN inventory_handles h ON h.handle = r.handle
    UNION ALL
    SELECT credential, revoked_at, unixepoch(substr(revoked_at, 1, 19)) * 1000000000 + CAST(substr(revoked_at, 21, 9) AS INTEGER), NULL
    FROM inventory WHERE revoked_at IS NOT NULL
  )
) WHERE n = 1;
CREATE UNIQUE INDEX temp.revocation_credential ON revocation(credential);
