-- Duplicate records (rule duplicate-records): the same original record stored under two evidence
-- files (a log and its .gz copy, an export downloaded twice, a rotated log overlapping its
-- successor) is two event rows but one thing that happened. Both rows stay in the case; the
-- correlator counts and cites the record once, as its canonical event.
--
-- Two events are copies of each other when their raw_sha256 (the sha256 of the record's bytes,
-- stored as the 32 bytes raw_hash) is equal and they come from different evidence files. Within
-- one file, equal bytes are repeated records (two identical access-log lines in the same second
-- are two requests), so the k-th occurrence of a record in one file is the copy of its k-th
-- occurrence in every other file: a record seen n times in one file and m times in another
-- stands for max(n, m) records. The canonical event of the k-th occurrence is the one from the
-- evidence ingested first (the evidence table's order: the id of the file's first version, so
-- that parsing a file again does not make it newer), then the lowest offset; the others are its
-- duplicates.
--
-- The rules never group all events (there is no index on raw_hash, and most events matter to
-- no rule): each rule puts the events it is about to count in dup_scope (reads, issues, revokes,
-- uses, the events of pivot addresses) by rowid and raw hash, which it has at hand; the view
-- scope_duplicates pairs them up, and the rule drops the duplicates it finds. Only raw hashes
-- that two events of the scope share are looked up further, so a scope without copies costs one
-- grouping of its raw hashes. A copy of a record carries the same fields, so it falls in the same
-- set as its canonical event.

CREATE TEMP TABLE dup_scope (
	event_rowid INTEGER NOT NULL,
	raw_hash    BLOB NOT NULL
);

-- Every duplicate found by any rule, with its canonical event; the duplicate-records findings
-- list them. Rules set duplicates aside by event_rowid; the ids (eid) are kept for the findings,
-- which cite events by id and order pairs by the canonical event's id.
CREATE TEMP TABLE duplicates (
	event_rowid        INTEGER PRIMARY KEY,
	eid                BLOB NOT NULL,
	canonical_eid      BLOB NOT NULL,
	time_ns            INTEGER NOT NULL,
	evidence_id        INTEGER NOT NULL,
	canonical_evidence INTEGER NOT NULL
);

CREATE TEMP VIEW scope_duplicates AS
WITH shared AS (
  SELECT raw_hash FROM dup_scope GROUP BY raw_hash HAVING min(event_rowid) < max(event_rowid)
), occurrences AS (
  SELECT e.rowid AS event_rowid, e.eid, e.raw_hash, e.evidence_id, e.time_ns, e.offset, e.record_index,
         (SELECT min(w.id) FROM evidence w WHERE w.sha256 = v.sha256) AS evidence_order,
         row_number() OVER (PARTITION BY e.raw_hash, e.evidence_id ORDER BY e.offset, e.record_index, e.eid) AS nth
  FROM events e CROSS JOIN evidence v ON v.id = e.evidence_id
  WHERE e.rowid IN (SELECT s.event_rowid FROM dup_scope s JOIN shared USING (raw_hash))
), ranked AS (
  SELECT event_rowid, eid, time_ns, evidence_id,
         first_value(eid) OVER k AS canonical_eid,
         first_value(evidence_id) OVER k AS canonical_evidence
  FROM occurrences
  WINDOW k AS (PARTITION BY raw_hash, nth ORDER BY evidence_order, offset, record_index, eid)
)
SELECT event_rowid, eid, canonical_eid, time_ns, evidence_id, canonical_evidence FROM ranked WHERE eid <> canonical_eid;
