-- Coverage (rule coverage-gap): for each source, the span its events cover in the window and the
-- silences longer than the threshold, including at the window's edges, so that a report can say
-- what the evidence cannot show. Events are bucketed by hour; gaps are measured exactly between
-- the last event of one bucket and the first of the next non-empty one, so a threshold of at
-- least an hour finds every gap.

-- A source is the format of its evidence files. An event's hour is time_ns divided by an hour and
-- rounded down (SQL's division rounds towards zero, which before 1970 is up): the bucket the
-- first 13 characters of its text time make.
CREATE TEMP TABLE buckets AS
SELECT v.format AS source, b.hour, time_text(min(b.first_ns)) AS first, time_text(max(b.last_ns)) AS last, sum(b.n) AS n
FROM (
  SELECT e.evidence_id,
         CASE WHEN e.time_ns >= 0 THEN e.time_ns / 3600000000000 ELSE (e.time_ns + 1) / 3600000000000 - 1 END AS hour,
         min(e.time_ns) AS first_ns, max(e.time_ns) AS last_ns, count(*) AS n
  FROM events e, params p
  WHERE e.time_ns >= p.window_start_ns AND e.time_ns < p.window_end_ns
  GROUP BY e.evidence_id, hour
) b
CROSS JOIN evidence v ON v.id = b.evidence_id
GROUP BY v.format, b.hour;

CREATE TEMP TABLE gaps AS
SELECT source, gap_start, gap_end FROM (
  SELECT b.source, b.last AS gap_start, lead(b.first) OVER (PARTITION BY b.source ORDER BY b.hour) AS gap_end
  FROM buckets b
) WHERE gap_end IS NOT NULL
UNION ALL
SELECT b.source, p.window_start, min(b.first) FROM buckets b, params p GROUP BY b.source, p.window_start
UNION ALL
SELECT b.source, max(b.last), p.window_end FROM buckets b, params p WHERE p.window_end < '9999' GROUP BY b.source, p.window_end;

DELETE FROM temp.gaps
WHERE (julianday(gap_end) - julianday(gap_start)) * 86400.0 <= (SELECT gap_seconds FROM params);

INSERT INTO coverage(source, first, last, events, gaps)
SELECT b.source, min(b.first), max(b.last), sum(b.n),
       coalesce((SELECT json_group_array(json_object('start', g.gap_start, 'end', g.gap_end) ORDER BY g.gap_start)
                   FROM gaps g WHERE g.source = b.source), '[]')
FROM buckets b GROUP BY b.source ORDER BY b.source;

INSERT INTO findings(id, rule, severity, time, summary, credential, secret_ref, owner, src_ip, events)
SELECT substr(sha256_hex('coverage-gap|' || g.source || '|' || g.gap_start), 1, 32),
       (SELECT rule FROM rule_version WHERE name = 'coverage-gap'),
       'low', g.gap_start,
       'No ' || g.source || ' events from ' || substr(g.gap_start, 1, 19) || 'Z' || ' to ' || substr(g.gap_end, 1, 19) || 'Z' || ' (' ||
         printf('%.1f', (julianday(g.gap_end) - julianday(g.gap_start)) * 24.0) ||
         ' h): the evidence cannot show what happened in that source then',
       NULL, NULL, NULL, NULL, '[]'
FROM gaps g;
