-- Findings: one row per thing an investigator must look at, citing the events that show it.
-- Every finding's id is derived from its rule and its subject, so a re-run gives the same ids.

-- The classes of the reads are final now (04_links.sql): the exposures, then the uses.
INSERT INTO exposures(event_id, time, secret_ref, read_ref, principal, src_ip, outcome, in_window, class, proves, reasons)
SELECT lower(hex(eid)), time_text(time_ns), secret_ref, read_ref, principal, src_ip, outcome, in_window, class, proves, reasons
FROM read_classes
ORDER BY time_ns, eid, secret_ref;

INSERT INTO credential_uses(credential, handle, via, event_id, time, source, action, outcome, principal, src_ip,
                            user_agent, novel, after_revocation, reasons)
SELECT credential, handle, via, event_id, time, source, action, outcome, principal, src_ip, user_agent,
       kind IS NOT NULL AS novel, after_revocation,
       (SELECT json_group_array(reason ORDER BY n) FROM (
          SELECT 1 AS n, 'address ' || f.src_ip || ' not seen with this credential before its exposure' AS reason WHERE f.new_ip AND f.ip_seen IS NULL AND NOT f.no_baseline
          UNION ALL SELECT 2, 'address ' || f.src_ip || ' seen with this credential only inside the window before its exposure, and tied to the intrusion' WHERE f.new_ip AND f.ip_seen IS NOT NULL
          UNION ALL SELECT 3, 'no use of this credential before its exposure: every address is new' WHERE f.new_ip AND f.no_baseline
          UNION ALL SELECT 4, 'user agent not seen with this credential before its exposure' WHERE f.new_ua AND NOT f.new_ip AND f.ua_seen IS NULL
          UNION ALL SELECT 5, 'user agent seen with this credential only inside the window before its exposure, and tied to the intrusion' WHERE f.new_ua AND NOT f.new_ip AND f.ua_seen IS NOT NULL
          UNION ALL SELECT 6, 'matches indicator ' || f.ioc WHERE f.ioc IS NOT NULL
          UNION ALL SELECT 7, 'misuse: after a proven exposure' WHERE f.kind = 'misuse' AND f.proven
          UNION ALL SELECT 8, 'misuse: tied to the intrusion: ' || f.link WHERE f.kind = 'misuse' AND NOT f.proven
          UNION ALL SELECT 9, 'possible misuse: the credential is only possibly exposed and nothing ties this use to the intrusion' WHERE f.kind = 'possible'
          UNION ALL SELECT 10, 'derived from ' || f.via WHERE f.via IS NOT NULL
          UNION ALL SELECT 11, 'after the credential was revoked at ' || f.revoked_at WHERE f.after_revocation
          UNION ALL SELECT 12, 'after the credential it derives from was revoked at ' || f.revoked_at WHERE f.after_parent_revocation
       )) AS reasons
FROM uses f
ORDER BY credential, time_ns, eid, handle;

-- What each inventory credential is, for the findings' owner and secret columns.
CREATE TEMP TABLE cred_info AS
SELECT credential, min(display) AS display, min(owner) AS owner,
       json_group_array(DISTINCT secret_ref ORDER BY secret_ref) AS secret_refs
FROM inventory GROUP BY credential;
CREATE UNIQUE INDEX temp.cred_info_credential ON cred_info(credential);

-- The read that first exposed each credential (the first proving read, else the first read in
-- the window), with the secret it came from.
CREATE TEMP TABLE first_exposure AS
SELECT credential, secret_ref, event_id, time FROM (
  SELECT x.credential, e.secret_ref, e.event_id, e.time,
         row_number() OVER (PARTITION BY x.credential ORDER BY e.time, e.event_id, e.secret_ref) AS n
  FROM exposed x JOIN inventory i ON i.credential = x.credential
  JOIN exposures e ON e.secret_ref = i.secret_ref AND e.time = x.exposed_at
   AND e.outcome <> 'failure' AND (x.proven_at IS NULL OR e.proves)
) WHERE n = 1;
CREATE UNIQUE INDEX temp.first_exposure_credential ON first_exposure(credential);

-- suspicious-secret-read: one finding per suspicious read, however many secrets it exposed. Its
-- reasons are those of the first secret it matched (a listing's secrets share most of them).
INSERT INTO findings(id, rule, severity, time, summary, credential, secret_ref, owner, src_ip, events)
SELECT substr(sha256_hex('suspicious-secret-read|' || g.event_id), 1, 32),
       (SELECT rule FROM rule_version WHERE name = 'suspicious-secret-read'),
       CASE WHEN instr(x.reasons, 'matches indicator') > 0 OR x.read_ref LIKE '%/*' THEN 'high' ELSE 'medium' END,
       x.time,
       coalesce(x.principal, 'an unknown principal') || ' read ' ||
         CASE WHEN g.n = 1 THEN 'secret ' || x.secret_ref ELSE g.n || ' inventory secrets under ' || x.read_ref END ||
         coalesce(' from ' || x.src_ip, '') || ': ' ||
         (SELECT group_concat(value, '; ' ORDER BY CAST(key AS INTEGER)) FROM json_each(x.reasons)),
       NULL,
       CASE WHEN g.n = 1 THEN x.secret_ref ELSE x.read_ref END,
       (SELECT group_concat(owner, ', ' ORDER BY owner) FROM (SELECT DISTINCT i.owner FROM exposures e2 JOIN inventory i ON i.secret_ref = e2.secret_ref
                                              WHERE e2.event_id = g.event_id AND i.owner IS NOT NULL AND i.owner <> '' ORDER BY i.owner)),
       x.src_ip,
       json_array(g.event_id)
FROM (SELECT event_id, count(*) AS n, min(secret_ref) AS first_secret FROM exposures WHERE class = 'suspicious' GROUP BY event_id) g
JOIN exposures x ON x.event_id = g.event_id AND x.secret_ref = g.first_secret;

-- exposed-credential-used-novel: misuse (04_links.sql) of an exposed credential (or one derived
-- from it): a use from an address or client not the owner's, or matching an indicator, after a
-- proven exposure or tied to the intrusion. Uses that went through are misuse (critical when the
-- exposure is proven, high when possible and the uses are tied to the intrusion); when every
-- such use was refused, the finding reports attempts (medium).
INSERT INTO findings(id, rule, severity, time, summary, credential, secret_ref, owner, src_ip, events)
SELECT substr(sha256_hex('exposed-credential-used-novel|' || u.credential), 1, 32),
       (SELECT rule FROM rule_version WHERE name = 'exposed-credential-used-novel'),
       CASE WHEN sum(u.outcome <> 'failure') = 0 THEN 'medium' WHEN x.proven_at IS NOT NULL THEN 'critical' ELSE 'high' END,
       min(u.time),
       ci.display || coalesce(' (' || ci.owner || ')', '') ||
         CASE WHEN x.proven_at IS NOT NULL THEN ', exposed by the read of ' ELSE ', possibly exposed by the read of ' END ||
         fe.secret_ref || ' at ' || substr(fe.time, 1, 19) || 'Z' ||
         ', was presented in a new way ' || count(*) || ' time(s) between ' || substr(min(u.time), 1, 19) || 'Z' || ' and ' || substr(max(u.time), 1, 19) || 'Z' ||
         ' (' || sum(u.outcome <> 'failure') || ' went through, ' || sum(u.outcome = 'failure') || ' refused)' ||
         coalesce(', from ' || (SELECT group_concat(ip, ', ' ORDER BY ip) FROM (SELECT DISTINCT src_ip AS ip FROM uses
                                   WHERE credential = u.credential AND kind = 'misuse' AND src_ip IS NOT NULL ORDER BY src_ip)), '') ||
         CASE WHEN x.proven_at IS NULL THEN ', each tied to the intrusion' ELSE '' END ||
         CASE WHEN count(*) > 500 THEN '; cites the first 500 of ' || count(*) || ' uses' ELSE '' END,
       u.credential, fe.secret_ref, ci.owner,
       (SELECT src_ip FROM uses WHERE credential = u.credential AND kind = 'misuse' ORDER BY time_ns, eid LIMIT 1),
       (SELECT json_group_array(id ORDER BY t, id) FROM (
          SELECT fe.event_id AS id, fe.time AS t
          UNION SELECT event_id, time FROM (SELECT event_id, time FROM uses
                                             WHERE credential = u.credential AND kind = 'misuse' ORDER BY time_ns, eid LIMIT 500)
          ORDER BY t, id))
FROM uses u
JOIN exposed x ON x.credential = u.credential
JOIN cred_info ci ON ci.credential = u.credential
JOIN first_exposure fe ON fe.credential = u.credential
WHERE u.kind = 'misuse'
GROUP BY u.credential, x.proven_at, ci.display, ci.owner, fe.secret_ref, fe.time, fe.event_id;

-- novel-use-possible-exposure: possible misuse (04_links.sql) of a credential only possibly
-- exposed, whose new uses nothing ties to the intrusion. Medium, for the examiner to promote or
-- dismiss: it cites the reads that made the credential possibly exposed (at most 500) and the
-- uses (at most 500), and never counts as misuse.
INSERT INTO findings(id, rule, severity, time, summary, credential, secret_ref, owner, src_ip, events)
SELECT substr(sha256_hex('novel-use-possible-exposure|' || u.credential), 1, 32),
       (SELECT rule FROM rule_version WHERE name = 'novel-use-possible-exposure'),
       'medium',
       min(u.time),
       ci.display || coalesce(' (' || ci.owner || ')', '') || ', possibly exposed by ' || r.n ||
         ' read(s) in the window by declared consumers or past readers only (the first of ' || fe.secret_ref ||
         coalesce(' by ' || fr.principal, '') || ' at ' || substr(fe.time, 1, 19) || 'Z' ||
         '), was presented in a new way ' || count(*) || ' time(s) between ' || substr(min(u.time), 1, 19) || 'Z' || ' and ' || substr(max(u.time), 1, 19) || 'Z' ||
         ' (' || sum(u.outcome <> 'failure') || ' went through, ' || sum(u.outcome = 'failure') || ' refused)' ||
         coalesce(', from ' || (SELECT group_concat(ip, ', ' ORDER BY ip) FROM (SELECT DISTINCT src_ip AS ip FROM uses
                                   WHERE credential = u.credential AND kind = 'possible' AND src_ip IS NOT NULL ORDER BY src_ip)), '') ||
         ': nothing ties these uses to the intrusion (a travelling owner, a moved runner?); possible misuse, not counted as misuse' ||
         CASE WHEN count(*) > 500 OR r.n > 500 THEN '; cites the first 500 of ' || r.n || ' reads and of ' || count(*) || ' uses' ELSE '' END,
       u.credential, fe.secret_ref, ci.owner,
       (SELECT src_ip FROM uses WHERE credential = u.credential AND kind = 'possible' ORDER BY time_ns, eid LIMIT 1),
       (SELECT json_group_array(id ORDER BY t, id) FROM (
          SELECT id, t FROM (SELECT DISTINCT e.event_id AS id, e.time AS t FROM inventory i
                               JOIN exposures e ON e.secret_ref = i.secret_ref
                              WHERE i.credential = u.credential AND e.in_window AND e.outcome <> 'failure'
                              ORDER BY e.time, e.event_id LIMIT 500)
          UNION SELECT event_id, time FROM (SELECT event_id, time FROM uses
                                             WHERE credential = u.credential AND kind = 'possible' ORDER BY time_ns, eid LIMIT 500)
          ORDER BY t, id))
FROM uses u
JOIN exposed x ON x.credential = u.credential
JOIN cred_info ci ON ci.credential = u.credential
JOIN first_exposure fe ON fe.credential = u.credential
JOIN exposures fr ON fr.event_id = fe.event_id AND fr.secret_ref = fe.secret_ref
CROSS JOIN (SELECT count(DISTINCT e.event_id) AS n, i.credential FROM inventory i JOIN exposures e ON e.secret_ref = i.secret_ref
             WHERE e.in_window AND e.outcome <> 'failure' GROUP BY i.credential) r ON r.credential = u.credential
WHERE u.kind = 'possible' AND x.proven_at IS NULL
GROUP BY u.credential, ci.display, ci.owner, fe.secret_ref, fe.time, fe.event_id, fr.principal, r.n;

-- use-after-revocation: presented after it was revoked. A use that succeeded means revocation did
-- not work (high); refused uses show it did, and that someone still holds the credential (low).
INSERT INTO findings(id, rule, severity, time, summary, credential, secret_ref, owner, src_ip, events)
SELECT substr(sha256_hex('use-after-revocation|' || u.credential), 1, 32),
       (SELECT rule FROM rule_version WHERE name = 'use-after-revocation'),
       CASE WHEN max(u.outcome = 'success') THEN 'high' ELSE 'low' END,
       min(u.time),
       ci.display || coalesce(' (' || ci.owner || ')', '') || ' was revoked at ' || substr(r.revoked_at, 1, 19) || 'Z' || ' and presented ' || count(*) ||
         ' time(s) afterwards, ' || sum(u.outcome = 'success') || ' successfully' ||
         CASE WHEN max(u.outcome = 'success') THEN ': revocation did not take effect' ELSE ': all refused' END ||
         CASE WHEN count(*) > 500 THEN '; cites the first 500 of ' || count(*) || ' uses' ELSE '' END,
       u.credential, fe.secret_ref, ci.owner,
       (SELECT src_ip FROM credential_uses WHERE credential = u.credential AND after_revocation ORDER BY time, event_id LIMIT 1),
       (SELECT json_group_array(id ORDER BY t, id) FROM (
          SELECT r.event_id AS id, r.revoked_at AS t WHERE r.event_id IS NOT NULL
          UNION SELECT event_id, time FROM (SELECT event_id, time FROM credential_uses
                                             WHERE credential = u.credential AND after_revocation ORDER BY time, event_id LIMIT 500)
          ORDER BY t, id))
FROM credential_uses u
JOIN revocation r ON r.credential = u.credential
JOIN cred_info ci ON ci.credential = u.credential
LEFT JOIN first_exposure fe ON fe.credential = u.credential
WHERE u.after_revocation
GROUP BY u.credential, r.revoked_at, r.event_id, ci.display, ci.owner, fe.secret_ref;

-- exposed-credential-not-revoked: exposed and never revoked, as far as the evidence and the
-- inventory show.
INSERT INTO findings(id, rule, severity, time, summary, credential, secret_ref, owner, src_ip, events)
SELECT substr(sha256_hex('exposed-credential-not-revoked|' || x.credential), 1, 32),
       (SELECT rule FROM rule_version WHERE name = 'exposed-credential-not-revoked'),
       CASE WHEN x.proven_at IS NOT NULL THEN 'high' ELSE 'medium' END,
       x.exposed_at,
       ci.display || coalesce(' (' || ci.owner || ')', '') || ' was ' ||
         CASE WHEN x.proven_at IS NOT NULL THEN 'exposed' ELSE 'possibly exposed' END ||
         ' by the read of ' || fe.secret_ref || ' at ' || substr(x.exposed_at, 1, 19) || 'Z' || ' and no revocation is recorded',
       x.credential, fe.secret_ref, ci.owner, NULL, json_array(fe.event_id)
FROM exposed x
JOIN cred_info ci ON ci.credential = x.credential
JOIN first_exposure fe ON fe.credential = x.credential
LEFT JOIN revocation r ON r.credential = x.credential
WHERE r.revoked_at IS NULL;

-- derived-credential: a credential minted with an exposed one. High when it was then misused
-- (04_links.sql), or minted in a new way and used after the credential it derives from was
-- revoked; medium when minted or used in a new way (address, client, indicator) that is not
-- misuse; low when minted and used only in the usual ways (a routine rotation looks like this).
INSERT INTO findings(id, rule, severity, time, summary, credential, secret_ref, owner, src_ip, events)
SELECT substr(sha256_hex('derived-credential|' || l.root || '|' || l.handle), 1, 32),
       (SELECT rule FROM rule_version WHERE name = 'derived-credential'),
       CASE WHEN EXISTS (SELECT 1 FROM uses u WHERE u.handle = l.handle AND u.credential = l.root
                           AND u.outcome <> 'failure' AND u.kind = 'misuse') THEN 'high'
            WHEN iu.novel AND EXISTS (SELECT 1 FROM credential_uses u WHERE u.handle = l.handle AND u.credential = l.root
                           AND u.outcome <> 'failure' AND instr(u.reasons, 'it derives from was revoked') > 0) THEN 'high'
            WHEN iu.novel THEN 'medium'
            WHEN EXISTS (SELECT 1 FROM uses u WHERE u.handle = l.handle AND u.credential = l.root AND u.kind IS NOT NULL) THEN 'medium'
            ELSE 'low' END,
       l.since,
       l.handle || ' was issued at ' || substr(l.since, 1, 19) || 'Z' || ' by a call made with ' || l.parent || coalesce(' by ' || sp.value, '') ||
         coalesce(' from ' || si.value, '') ||
         CASE WHEN iu.novel THEN ' (a new address for it)' ELSE ' (its usual address)' END ||
         ', descending from exposed ' || ci.display ||
         ' (' || (SELECT count(*) FROM credential_uses u WHERE u.handle = l.handle AND u.credential = l.root) || ' use(s) since' ||
         CASE WHEN EXISTS (SELECT 1 FROM credential_uses u WHERE u.handle = l.handle AND u.credential = l.root
                             AND instr(u.reasons, 'it derives from was revoked') > 0 AND u.outcome <> 'failure')
              THEN ', some after its parent was revoked' ELSE '' END || ')' ||
         CASE WHEN (SELECT count(*) FROM credential_uses u WHERE u.handle = l.handle AND u.credential = l.root) > 500
              THEN '; cites the first 500 of ' || (SELECT count(*) FROM credential_uses u WHERE u.handle = l.handle AND u.credential = l.root) || ' uses'
              ELSE '' END,
       l.handle, fe.secret_ref, ci.owner, si.value,
       (SELECT json_group_array(id ORDER BY t, id) FROM (
          SELECT l.issue_event AS id, l.since AS t
          UNION SELECT event_id, time FROM (SELECT event_id, time FROM credential_uses u
                                             WHERE u.handle = l.handle AND u.credential = l.root ORDER BY time, event_id LIMIT 500)
          ORDER BY t, id))
FROM lineage l
JOIN events e ON e.rowid = l.issue_rowid
LEFT JOIN strings sp ON sp.id = e.principal_sid
LEFT JOIN strings si ON si.id = e.src_ip_sid
JOIN cred_info ci ON ci.credential = l.root
LEFT JOIN credential_uses iu ON iu.event_id = l.issue_event AND iu.credential = l.root AND iu.handle = l.parent
LEFT JOIN first_exposure fe ON fe.credential = l.root
WHERE l.depth > 0;

-- ip-pivot: addresses seen misusing exposed credentials, followed to every other credential
-- presented from them: credentials at risk by other routes. The addresses are those of novel uses
-- (refused attempts included: an address trying stolen credentials is worth following) of
-- credentials whose exposure is proven, and of credentials derived from them (novel_ips,
-- 04_links.sql). A possibly exposed credential with a thin history makes every address look new;
-- following all of those would bury the intruder's addresses among the owners'.
-- CROSS JOIN keeps the few addresses outside and finds their events by index, whatever the
-- planner guesses of the temporary table's size (SQLite does not reorder a CROSS JOIN).
CREATE TEMP TABLE pivot_events AS
SELECT e.rowid AS event_rowid, e.eid, e.time_ns, n.src_ip, e.credential_sid, e.raw_hash
FROM novel_ips n
CROSS JOIN events e ON e.src_ip_sid = n.src_ip_sid
WHERE e.credential_sid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM lineage l WHERE l.handle_sid = e.credential_sid);

-- An event stored under two evidence files is presented once (00_duplicates.sql).
INSERT INTO dup_scope SELECT event_rowid, raw_hash FROM pivot_events;
INSERT OR IGNORE INTO duplicates SELECT * FROM scope_duplicates;
DELETE FROM temp.dup_scope;
DELETE FROM temp.pivot_events WHERE event_rowid IN (SELECT event_rowid FROM duplicates);
CREATE INDEX temp.pivot_events_k ON pivot_events(src_ip, credential_sid, time_ns, eid);

INSERT INTO findings(id, rule, severity, time, summary, credential, secret_ref, owner, src_ip, events)
SELECT substr(sha256_hex('ip-pivot|' || g.src_ip || '|' || c.value), 1, 32),
       (SELECT rule FROM rule_version WHERE name = 'ip-pivot'),
       'medium',
       g.first,
       g.src_ip || ', seen misusing exposed credentials, also presented ' || c.value || ' ' || g.n ||
         ' time(s) between ' || substr(g.first, 1, 19) || 'Z' || ' and ' || substr(g.last, 1, 19) || 'Z' ||
         CASE WHEN g.n > 500 THEN '; cites the first 500 of ' || g.n || ' events' ELSE '' END,
       c.value, NULL,
       (SELECT min(i.owner) FROM inventory_handles h JOIN inventory i ON i.credential = h.credential WHERE h.handle = c.value),
       g.src_ip,
       (SELECT json_group_array(lower(hex(id)) ORDER BY t, id) FROM (SELECT p.eid AS id, p.time_ns AS t FROM pivot_events p
          WHERE p.src_ip = g.src_ip AND p.credential_sid = g.credential_sid ORDER BY p.time_ns, p.eid LIMIT 500))
FROM (SELECT src_ip, credential_sid, time_text(min(time_ns)) AS first, time_text(max(time_ns)) AS last, count(*) AS n
        FROM pivot_events GROUP BY src_ip, credential_sid) g
JOIN strings c ON c.id = g.credential_sid
ORDER BY g.src_ip, c.value;

-- duplicate-records: the records that the rules above found under two evidence files, one
-- finding per pair of files (the duplicates' file, the canonical events' file), citing the
-- duplicates beside their canonical events so that explain shows both records. Only the records
-- the rules examined are compared (00_duplicates.sql): the finding does not measure the whole
-- overlap of the two files.
INSERT INTO findings(id, rule, severity, time, summary, credential, secret_ref, owner, src_ip, events)
SELECT substr(sha256_hex('duplicate-records|' || dv.sha256 || '|' || cv.sha256), 1, 32),
       (SELECT rule FROM rule_version WHERE name = 'duplicate-records'),
       'info',
       d.first,
       d.n || ' record(s) of ' || dv.path || ' examined by the correlator, between ' || substr(d.first, 1, 19) || 'Z' ||
         ' and ' || substr(d.last, 1, 19) || 'Z' || ', are byte-identical to records of ' || cv.path ||
         ', ingested before it (same raw_sha256): each is counted and cited once, as the event of ' || cv.path ||
         CASE WHEN d.n > 250 THEN '; cites the first 250 of ' || d.n || ' duplicates' ELSE '' END,
       NULL, NULL, NULL, NULL,
       -- Each pair in a row: the canonical event, then its duplicate.
       (SELECT json_group_array(lower(hex(CASE s.k WHEN 0 THEN p.canonical_eid ELSE p.eid END)) ORDER BY p.time_ns, p.canonical_eid, s.k)
          FROM (SELECT d2.eid, d2.canonical_eid, d2.time_ns FROM duplicates d2
                 WHERE d2.evidence_id = d.evidence_id AND d2.canonical_evidence = d.canonical_evidence
                 ORDER BY d2.time_ns, d2.canonical_eid LIMIT 250) p,
               (SELECT 0 AS k UNION ALL SELECT 1) s)
FROM (SELECT evidence_id, canonical_evidence, time_text(min(time_ns)) AS first, time_text(max(time_ns)) AS last, count(*) AS n
        FROM duplicates GROUP BY evidence_id, canonical_evidence) d
CROSS JOIN evidence dv ON dv.id = d.evidence_id
CROSS JOIN evidence cv ON cv.id = d.canonical_evidence;
