-- Uses (rule exposed-credential-used-novel): every event that presents an exposed credential,
-- or one derived from it, after the exposure (for a derived credential, after it was issued).
--
-- A credential's baseline is what presenting it looked like before its first exposure: the
-- addresses and user agents seen with any of its handles. Derived credentials share their
-- root's baseline. A use is novel when its address or its user agent is outside the baseline,
-- or when it matches an indicator. A novel use that was not refused is a misuse; refused ones
-- are attempts, kept and cited but not counted as misuse. A use without an address (a cloud service calling on the
-- credential's behalf, logged with a host name) is never novel on the address alone.

CREATE TEMP TABLE baseline AS
SELECT DISTINCT x.credential, e.src_ip, e.user_agent
FROM exposed x
JOIN inventory_handles h ON h.credential = x.credential
JOIN events e ON e.credential = h.handle AND e.time < x.exposed_at;

CREATE INDEX temp.baseline_credential ON baseline(credential);
CREATE TEMP TABLE baseline_ip AS SELECT DISTINCT credential, src_ip FROM baseline WHERE src_ip IS NOT NULL;
CREATE TEMP TABLE baseline_ua AS SELECT DISTINCT credential, user_agent FROM baseline WHERE user_agent IS NOT NULL;
CREATE INDEX temp.baseline_ip_k ON baseline_ip(credential, src_ip);
CREATE INDEX temp.baseline_ua_k ON baseline_ua(credential, user_agent);

CREATE TEMP TABLE use_facts AS
SELECT l.root AS credential, l.handle, l.parent AS via, e.id AS event_id, e.time, e.source, e.action,
       e.outcome, e.principal, e.src_ip, e.user_agent, e.rowid AS event_rowid, e.raw_sha256,
       (e.src_ip IS NOT NULL AND NOT EXISTS (SELECT 1 FROM baseline_ip b WHERE b.credential = l.root AND b.src_ip = e.src_ip)) AS new_ip,
       (e.user_agent IS NOT NULL AND NOT EXISTS (SELECT 1 FROM baseline_ua b WHERE b.credential = l.root AND b.user_agent = e.user_agent)) AS new_ua,
       NOT EXISTS (SELECT 1 FROM baseline b WHERE b.credential = l.root) AS no_baseline,
       (SELECT group_concat(DISTINCT c.type || ' ' || c.value)
          FROM iocs c
         WHERE (c.type = 'ip' AND c.value = e.src_ip)
            OR (c.type = 'cidr' AND e.src_ip IS NOT NULL AND cidr_contains(c.value, e.src_ip))
            OR (c.type = 'principal' AND c.value = e.principal)
            OR (c.type = 'user_agent' AND instr(e.user_agent, c.value) > 0)) AS ioc,
       -- Revocation concerns the revoked credential's own handles. A credential derived from it
       -- is not revoked with it (temporary AWS credentials outlive their parent key), and the
       -- derived-credential finding says when one was used after its parent's revocation.
       r.revoked_at, (r.revoked_at IS NOT NULL AND e.time > r.revoked_at AND l.parent IS NULL) AS after_revocation,
       (r.revoked_at IS NOT NULL AND e.time > r.revoked_at AND l.parent IS NOT NULL) AS after_parent_revocation
FROM lineage l
JOIN events e ON e.credential = l.handle AND e.time >= l.since
LEFT JOIN revocation r ON r.credential = l.root;

-- A use stored under two evidence files is one use (00_duplicates.sql).
INSERT INTO dup_scope SELECT event_rowid, raw_sha256 FROM use_facts;
INSERT OR IGNORE INTO duplicates SELECT * FROM scope_duplicates;
DELETE FROM temp.dup_scope;
DELETE FROM temp.use_facts WHERE event_id IN (SELECT event_id FROM duplicates);

INSERT INTO credential_uses(credential, handle, via, event_id, time, source, action, outcome, principal, src_ip,
                            user_agent, novel, after_revocation, reasons)
SELECT credential, handle, via, event_id, time, source, action, outcome, principal, src_ip, user_agent,
       (new_ip OR new_ua OR ioc IS NOT NULL) AS novel, after_revocation,
       (SELECT json_group_array(reason) FROM (
          SELECT 'address ' || f.src_ip || ' not seen with this credential before its exposure' AS reason WHERE f.new_ip AND NOT f.no_baseline
          UNION ALL SELECT 'no use of this credential before its exposure: every address is new' WHERE f.new_ip AND f.no_baseline
          UNION ALL SELECT 'user agent not seen with this credential before its exposure' WHERE f.new_ua AND NOT f.new_ip
          UNION ALL SELECT 'matches indicator ' || f.ioc WHERE f.ioc IS NOT NULL
          UNION ALL SELECT 'derived from ' || f.via WHERE f.via IS NOT NULL
          UNION ALL SELECT 'after the credential was revoked at ' || f.revoked_at WHERE f.after_revocation
          UNION ALL SELECT 'after the credential it derives from was revoked at ' || f.revoked_at WHERE f.after_parent_revocation
       )) AS reasons
FROM use_facts f
ORDER BY credential, time, event_id, handle;
