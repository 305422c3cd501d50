-- The credential summary: one row per inventory credential, for the people who must say which
-- credentials were exposed and which were misused. Status, in this precedence: misused when a
-- misuse went through (04_links.sql: a novel use after a proven exposure, or tied to the
-- intrusion); exposed when read suspiciously without misuse; possibly-misused when a possible
-- misuse went through (a novel use with no link to the intrusion of a credential only possibly
-- exposed); possibly-exposed when its secret was only read in the window, not-exposed otherwise.
-- The misuse fields count misuse only: a possible misuse (novel-use-possible-exposure) never
-- counts.
INSERT INTO credential_summary(credential, display, owner, secret_refs, status, first_exposure, first_misuse,
                               last_misuse, misuse_count, novel_ips, revoked_at, derived)
SELECT ci.credential, ci.display, ci.owner, ci.secret_refs,
       CASE WHEN m.n > 0 THEN 'misused'
            WHEN x.proven_at IS NOT NULL THEN 'exposed'
            WHEN EXISTS (SELECT 1 FROM uses u WHERE u.credential = ci.credential AND u.kind = 'possible'
                           AND u.outcome <> 'failure') THEN 'possibly-misused'
            WHEN x.possible_at IS NOT NULL THEN 'possibly-exposed'
            ELSE 'not-exposed' END,
       x.exposed_at, m.first, m.last, coalesce(m.n, 0),
       coalesce((SELECT json_group_array(DISTINCT src_ip ORDER BY src_ip) FROM uses u
                  WHERE u.credential = ci.credential AND u.kind = 'misuse' AND u.outcome <> 'failure' AND u.src_ip IS NOT NULL), '[]'),
       r.revoked_at,
       coalesce((SELECT json_group_array(handle ORDER BY since, handle) FROM lineage l
                  WHERE l.root = ci.credential AND l.depth > 0), '[]')
FROM cred_info ci
LEFT JOIN exposed x ON x.credential = ci.credential
LEFT JOIN revocation r ON r.credential = ci.credential
LEFT JOIN (SELECT credential, count(*) AS n, time_text(min(time_ns)) AS first, time_text(max(time_ns)) AS last
             FROM uses WHERE kind = 'misuse' AND outcome <> 'failure' GROUP BY credential) m ON m.credential = ci.credential
ORDER BY ci.credential;
