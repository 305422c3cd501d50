-- The events the rules start from: the secret reads, credential issues and revocations. One pass
-- over them through the partial index keeps their compact columns here, so that the rules after
-- this one look them up in memory instead of going back to the events table, where each lookup
-- lands on another page. Their attrs, larger and needed by few, stay in the events table.
--
-- The categories are seeded string ids (timeline/strings.go), fixed in every case:
-- secret_read = 1, credential_issue = 3, credential_revoke = 4; so are the outcomes: success = 12,
-- failure = 13, unknown = 14. The partial index events_key_category covers categories 1 to 4 and
-- is used only when a query repeats its condition, hence category_sid <= 4 beside the rule's own.
CREATE TEMP TABLE key_events (
	event_rowid     INTEGER PRIMARY KEY,
	category_sid    INTEGER NOT NULL,
	eid             BLOB NOT NULL,
	time_ns         INTEGER NOT NULL,
	outcome_sid     INTEGER NOT NULL,
	principal_sid   INTEGER,
	src_ip_sid      INTEGER,
	user_agent_sid  INTEGER,
	credential_sid  INTEGER,
	secret_ref_sid  INTEGER,
	request_id      TEXT,
	evidence_id     INTEGER NOT NULL,
	raw_hash        BLOB NOT NULL,
	attrs_shape_sid INTEGER,
	has_attrs       INTEGER NOT NULL
);

INSERT INTO key_events
SELECT e.rowid, e.category_sid, e.eid, e.time_ns, e.outcome_sid, e.principal_sid, e.src_ip_sid, e.user_agent_sid,
       e.credential_sid, e.secret_ref_sid, e.request_id, e.evidence_id, e.raw_hash, e.attrs_shape_sid, e.attrs IS NOT NULL
FROM events e
WHERE e.category_sid <= 4 AND e.category_sid IN (1, 3, 4);
CREATE INDEX temp.key_events_category ON key_events(category_sid);

-- Where the attrs the rules read sit (timeline/attrscodec.go). An event's attrs are either the
-- JSON object itself (attrs_shape_sid NULL) or a JSON array of its values, whose keys, in the
-- same order, are the strings value of attrs_shape_sid. A rule reads key K of event e at the json
-- path
--
--   CASE WHEN attrs_shape_sid IS NULL THEN '$.K' ELSE <path of K in the shape> END
--
-- and attr_paths holds the second: for each shape of the key events (one or two per format), the
-- array index of each key the rules read. A shape without the key has no row: its events have no
-- such attribute.
CREATE TEMP TABLE attr_paths (
	shape_sid INTEGER NOT NULL,
	name      TEXT NOT NULL,
	path      TEXT NOT NULL,
	PRIMARY KEY (shape_sid, name)
);

INSERT OR IGNORE INTO attr_paths(shape_sid, name, path)
SELECT s.id, k.value, '$[' || k.key || ']'
FROM strings s, json_each(s.value) k
WHERE s.id IN (SELECT attrs_shape_sid FROM key_events WHERE attrs_shape_sid IS NOT NULL)
  AND k.value IN ('secret_refs', 'issued_credential', 'revoked_credential');
