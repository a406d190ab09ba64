-- At most $2 dead letters, only those of type $1 unless it is NULL; newest first.
SELECT {{dead_letter_brief_columns}}
  FROM event_dead_letters WHERE $1::text IS NULL OR event_type = $1
 ORDER BY id DESC LIMIT $2
