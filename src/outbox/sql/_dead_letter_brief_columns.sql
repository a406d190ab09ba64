id, event_id, event_type, error, attempts, failed_at
