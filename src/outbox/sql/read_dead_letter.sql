-- Dead letter $1 (id) with every column, the brief ones first.
SELECT {{dead_letter_brief_columns}}, event_date_time, environment, metadata_version, event_context,
       raw_row
  FROM event_dead_letters WHERE id = $1
