-- How many dead letters the filter ($1 all, $2 event_type or NULL, $3 ids or NULL) names.
SELECT count(*) FROM event_dead_letters WHERE {{dead_letter_filter}}
