SELECT coalesce(event_type, '(unreadable ledger line)'), count(*)
  FROM event_dead_letters GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20
