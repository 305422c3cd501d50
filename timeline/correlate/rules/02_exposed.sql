-- Exposed credentials: the credentials of secrets with a suspicious successful read in the window
-- are proven exposed from the first such read; those of secrets with any read in the window that
-- did not fail (its outcome may be unlogged) are possibly exposed from the first one. A credential's first exposure is the one that
-- gives it its status: the first proving read, else the first read in the window.

CREATE TEMP TABLE exposed AS
SELECT i.credential,
       min(CASE WHEN x.proves THEN x.time END) AS proven_at,
       min(CASE WHEN x.outcome <> 'failure' AND x.in_window THEN x.time END) AS possible_at
FROM inventory i JOIN exposures x ON x.secret_ref = i.secret_ref
GROUP BY i.credential
HAVING min(CASE WHEN x.outcome <> 'failure' AND x.in_window THEN x.time END) IS NOT NULL;

ALTER TABLE temp.exposed ADD COLUMN exposed_at TEXT;
UPDATE temp.exposed SET exposed_at = coalesce(proven_at, possible_at);
CREATE UNIQUE INDEX temp.exposed_credential ON exposed(credential);

-- Lineage (rule derived-credential): a credential issued by a call made with an exposed
-- credential, at or after its exposure, is exposed too, from the moment it was issued; so are
-- those it issues in turn. Every step is kept first, so that the duplicates of an issue can be
-- set aside before each credential keeps the first issue that made it.
CREATE TEMP TABLE lineage_steps AS
WITH RECURSIVE l(root, handle, parent, since, issue_event, depth) AS (
  SELECT x.credential, h.handle, NULL, x.exposed_at, NULL, 0
  FROM exposed x JOIN inventory_handles h ON h.credential = x.credential
  UNION
  SELECT l.root, json_extract(e.attrs, '$.issued_credential'), l.handle, e.time, e.id, l.depth + 1
  FROM l JOIN events e ON e.credential = l.handle AND e.time >= l.since
  WHERE e.category = 'credential_issue' AND e.outcome <> 'failure'
    AND json_extract(e.attrs, '$.issued_credential') IS NOT NULL AND l.depth < 8
)
SELECT * FROM l;

INSERT INTO dup_scope SELECT e.rowid, e.raw_sha256 FROM events e WHERE e.id IN (SELECT issue_event FROM lineage_steps);
INSERT OR IGNORE INTO duplicates SELECT * FROM scope_duplicates;
DELETE FROM temp.dup_scope;

-- A credential issued more than once (or reached by two paths) keeps its earliest issue, then
-- the shallowest, then the lowest event id: the same on every run.
CREATE TEMP TABLE lineage AS
SELECT root, handle, parent, since, issue_event, depth FROM (
  SELECT root, handle, parent, issue_event,
         min(since) OVER c AS since, min(depth) OVER c AS depth,
         row_number() OVER (c ORDER BY since, depth, issue_event) AS n
  FROM lineage_steps
  WHERE issue_event IS NULL OR issue_event NOT IN (SELECT event_id FROM duplicates)
  WINDOW c AS (PARTITION BY root, handle)
) WHERE n = 1;

CREATE INDEX temp.lineage_handle ON lineage(handle);
CREATE INDEX temp.lineage_root ON lineage(root, depth);

-- Revocation: the first successful revoke of any handle of a credential (a revoke names the
-- credential in attrs.revoked_credential, or revokes the one it presents), or the inventory's
-- revoked_at, whichever is earlier.
CREATE TEMP TABLE revokes AS
SELECT coalesce(json_extract(attrs, '$.revoked_credential'), credential) AS handle, time, id AS event_id
FROM events
WHERE category = 'credential_revoke' AND outcome <> 'failure'
  AND coalesce(json_extract(attrs, '$.revoked_credential'), credential) IS NOT NULL;

INSERT INTO dup_scope SELECT e.rowid, e.raw_sha256 FROM events e WHERE e.id IN (SELECT event_id FROM revokes);
INSERT OR IGNORE INTO duplicates SELECT * FROM scope_duplicates;
DELETE FROM temp.dup_scope;
DELETE FROM temp.revokes WHERE event_id IN (SELECT event_id FROM duplicates);
CREATE INDEX temp.revokes_handle ON revokes(handle);

CREATE TEMP TABLE revocation AS
SELECT credential, revoked_at, event_id FROM (
  SELECT credential, t AS revoked_at, event_id,
         row_number() OVER (PARTITION BY credential ORDER BY t, event_id IS NULL, event_id) AS n
  FROM (
    SELECT h.credential, r.time AS t, r.event_id FROM revokes r JOIN inventory_handles h ON h.handle = r.handle
    UNION ALL
    SELECT credential, revoked_at, NULL FROM inventory WHERE revoked_at IS NOT NULL
  )
) WHERE n = 1;
CREATE UNIQUE INDEX temp.revocation_credential ON revocation(credential);
