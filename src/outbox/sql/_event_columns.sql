event_id, event_type, event_date_time, environment, event_context, metadata_version,
trace_id, span_id
