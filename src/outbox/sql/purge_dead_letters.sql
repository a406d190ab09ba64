-- Deletes the dead letters the filter ($1 all, $2 event_type or NULL, $3 ids or NULL) names,
-- only those that failed more than $4 days ago unless it is NULL.
DELETE FROM event_dead_letters
 WHERE {{dead_letter_filter}} AND ($4::int IS NULL OR failed_at < now() - interval '1 day' * $4)
