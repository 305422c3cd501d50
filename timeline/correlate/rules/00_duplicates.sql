-- Duplicate records (rule duplicate-records): the same original record stored under two evidence
-- files (a log and its .gz copy, an export downloaded twice, a rotated log overlapping its
-- successor) is two event rows but one thing that happened. Both rows stay in the case; the
-- correlator counts and cites the record once, as its canonical event.
--
-- Two events are copies of each other when their raw_sha256 (the sha256 of the record's bytes)
-- is equal and they come from different evidence files. Within one file, equal bytes are
-- repeated records (two identical access-log lines in the same second are two requests), so the
-- k-th occurrence of a record in one file is the copy of its k-th occurrence in every other file:
-- a record seen n times in one file and m times in another stands for max(n, m) records. The
-- canonical event of the k-th occurrence is the one from the evidence ingested first (the
-- evidence table's rowid), then the lowest offset; the others are its duplicates.
--
-- The rules never group all events (there is no index on raw_sha256, and most events matter to
-- no rule): each rule puts the events it is about to count in dup_scope (reads, issues, revokes,
-- uses, the events of pivot addresses) by rowid and raw hash, which it has at hand; the view
-- scope_duplicates pairs them up, and the rule drops the duplicates it finds. Only raw hashes
-- that two events of the scope share are looked up further, so a scope without copies costs one
-- grouping of its raw hashes. A copy of a record carries the same fields, so it falls in the same
-- set as its canonical event.

CREATE TEMP TABLE dup_scope (
	event_rowid INTEGER NOT NULL,
	raw_sha256  TEXT NOT NULL
);

-- Every duplicate found by any rule, with its canonical event; the duplicate-records findings
-- list them.
CREATE TEMP TABLE duplicates (
	event_id           TEXT PRIMARY KEY,
	canonical_id       TEXT NOT NULL,
	time               TEXT NOT NULL,
	evidence_sha256    TEXT NOT NULL,
	canonical_evidence TEXT NOT NULL
);

CREATE TEMP VIEW scope_duplicates AS
WITH shared AS (
  SELECT raw_sha256 FROM dup_scope GROUP BY raw_sha256 HAVING min(event_rowid) < max(event_rowid)
), occurrences AS (
  SELECT e.id AS event_id, e.raw_sha256, e.evidence_sha256, e.time, v.rowid AS evidence_order, e.offset, e.record_index,
         row_number() OVER (PARTITION BY e.raw_sha256, e.evidence_sha256 ORDER BY e.offset, e.record_index, e.id) AS nth
  FROM events e JOIN evidence v ON v.sha256 = e.evidence_sha256
  WHERE e.rowid IN (SELECT s.event_rowid FROM dup_scope s JOIN shared USING (raw_sha256))
), ranked AS (
  SELECT event_id, time, evidence_sha256,
         first_value(event_id) OVER k AS canonical_id,
         first_value(evidence_sha256) OVER k AS canonical_evidence
  FROM occurrences
  WINDOW k AS (PARTITION BY raw_sha256, nth ORDER BY evidence_order, offset, record_index, event_id)
)
SELECT event_id, canonical_id, time, evidence_sha256, canonical_evidence FROM ranked WHERE event_id <> canonical_id;
