-- Links to the intrusion: which novel uses are misuse, and which consumers' reads were the
-- intruder's (rules exposed-credential-used-novel, novel-use-possible-exposure and
-- suspicious-secret-read's consumer rule).
--
-- An address is tied to the intrusion when it matches an indicator, when a suspicious read came
-- from it, or when it is an ip-pivot address: the address of a novel use (refused ones included)
-- of a credential whose exposure is proven, or of one derived from it. A user agent (a client) is
-- tied when it matches an indicator or a suspicious read was made with it.
--
-- A novel use is misuse when it follows a proven exposure (every use of a proven-exposed
-- credential does: its uses start there), or when the novel address is tied to the intrusion,
-- or the novel client is, or the use matches an indicator. Any other novel use, of a credential
-- only possibly exposed, is a possible misuse: a travelling owner looks like this. Refused uses
-- are attempts either way.

-- The ip-pivot addresses.
CREATE TEMP TABLE novel_ips AS
SELECT DISTINCT u.src_ip_sid, u.src_ip
FROM uses u
WHERE u.proven AND (u.new_ip OR u.new_ua OR u.ioc IS NOT NULL) AND u.src_ip_sid IS NOT NULL;
CREATE UNIQUE INDEX temp.novel_ips_k ON novel_ips(src_ip_sid);

-- An address seen with a credential between its cutoff and its exposure is the owner's only when
-- nothing ties it to the intrusion (03_uses.sql); an ip-pivot address is known only now. (Its
-- uses of proven credentials made it one already, so the pivot addresses do not change.)
UPDATE uses SET new_ip = 1 WHERE ip_seen = 1 AND src_ip_sid IN (SELECT src_ip_sid FROM novel_ips);

CREATE TEMP TABLE intrusion_ips AS
SELECT src_ip_sid, min(why) AS why FROM (
  SELECT src_ip_sid, 'a suspicious read came from it' AS why FROM suspicious_read_ips
  UNION ALL
  SELECT src_ip_sid, 'an ip-pivot address (a novel use of a proven-exposed credential came from it)' FROM novel_ips
) GROUP BY src_ip_sid;
CREATE UNIQUE INDEX temp.intrusion_ips_k ON intrusion_ips(src_ip_sid);

-- link says what ties a novel use to the intrusion, NULL when nothing does.
ALTER TABLE temp.uses ADD COLUMN link TEXT;
UPDATE uses SET link = coalesce(
    CASE WHEN ioc IS NOT NULL THEN 'it matches indicator ' || ioc END,
    (SELECT 'address ' || uses.src_ip || ': ' || i.why FROM intrusion_ips i WHERE i.src_ip_sid = uses.src_ip_sid),
    CASE WHEN new_ua AND user_agent_sid IN (SELECT user_agent_sid FROM suspicious_read_uas)
         THEN 'client ' || user_agent || ': a suspicious read was made with it' END)
WHERE new_ip OR new_ua OR ioc IS NOT NULL;

-- kind: misuse, possible (a possible misuse) or NULL (not novel).
ALTER TABLE temp.uses ADD COLUMN kind TEXT;
UPDATE uses SET kind = CASE WHEN proven OR link IS NOT NULL THEN 'misuse' ELSE 'possible' END
WHERE new_ip OR new_ua OR ioc IS NOT NULL;

-- The consumer rule (suspicious-secret-read): a read that is expected only because its reader is
-- a declared consumer of the secret or read it before the window is the intruder's, acting as
-- that consumer, when in the window and not refused
--   (a) it came from an address tied to the intrusion, or
--   (b) it presents a credential that is itself proven exposed or misused (an inventory
--       credential, or one derived from it), at or after that exposure or first misuse, from an
--       address this reader never read from before the window.
-- Such a read becomes suspicious, with the reason. This is how a breach of a platform's build or
-- runtime identity shows. The reads it turns suspicious can prove new exposures, so the round
-- (02_exposed.sql to here) runs again until this statement changes no read; each round only adds
-- suspicious reads, so it ends. It must stay this file's last statement (correlate.go).
UPDATE read_classes SET class = 'suspicious',
       proves = (in_window AND outcome_sid = 12 AND NOT (listing AND read_ref LIKE 'vault:%')),
       reasons = json_insert(reasons, '$[#]', 'consumer identity possibly used by the intruder: ' || t.why)
FROM (
  SELECT rid, min(why) AS why FROM (
    SELECT r.rowid AS rid, 'the read came from ' || r.src_ip || ', ' || i.why AS why
    FROM intrusion_ips i
    CROSS JOIN read_classes r ON r.src_ip_sid = i.src_ip_sid
    WHERE r.class = 'expected' AND r.in_window AND r.outcome_sid <> 13
    UNION ALL
    SELECT r.rowid, 'the read presents ' || l.handle || ', itself ' ||
             CASE WHEN x.proven_ns IS NOT NULL THEN 'proven exposed' ELSE 'misused' END ||
             ' since ' || time_text(max(l.since_ns, coalesce(x.proven_ns, m.first_ns))) || ', from an address this reader never read from before the window'
    FROM (SELECT credential, min(time_ns) AS first_ns FROM uses WHERE kind = 'misuse' AND outcome_sid <> 13 GROUP BY credential) m
    CROSS JOIN exposed x ON x.credential = m.credential
    CROSS JOIN lineage l ON l.root = x.credential
    CROSS JOIN read_classes r ON r.credential_sid = l.handle_sid
    WHERE r.time_ns >= max(l.since_ns, coalesce(x.proven_ns, m.first_ns))
      AND r.class = 'expected' AND r.in_window AND r.outcome_sid <> 13
      AND NOT EXISTS (SELECT 1 FROM read_classes b WHERE b.principal_sid = r.principal_sid AND b.src_ip_sid = r.src_ip_sid AND NOT b.in_window)
    UNION ALL
    SELECT r.rowid, 'the read presents ' || l.handle || ', itself proven exposed since ' || time_text(l.since_ns) ||
             ', from an address this reader never read from before the window'
    FROM exposed x
    CROSS JOIN lineage l ON l.root = x.credential
    CROSS JOIN read_classes r ON r.credential_sid = l.handle_sid
    WHERE x.proven_ns IS NOT NULL AND r.time_ns >= l.since_ns
      AND r.class = 'expected' AND r.in_window AND r.outcome_sid <> 13
      AND NOT EXISTS (SELECT 1 FROM read_classes b WHERE b.principal_sid = r.principal_sid AND b.src_ip_sid = r.src_ip_sid AND NOT b.in_window)
  ) GROUP BY rid
) t
WHERE read_classes.rowid = t.rid;
