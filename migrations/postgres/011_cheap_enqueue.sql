-- A cheaper eventlog_enqueue() (issue 16): the same rules, the same errors, less work per call.
--
-- Each call of the function of 007 ran the name conversion (three regexp_replace and a trim),
-- a nested PL/pgSQL call for the UUIDv7 and five separate IF tests. A one-row business
-- transaction pays all of it on every event, and PL/pgSQL prepares each expression again in
-- every transaction. Now:
-- * a name that is already snake_case (the usual case: `user_created`) is taken as it is: for
--   such a name the conversion of eventlog_event_type() changes nothing (no '-', '.', blank or
--   capital letter to replace, no run of '_' to squeeze, no '_' at either end);
-- * every rule is tested in one expression; only when it does not hold are the rules tested
--   one by one, as before, to raise the error that names the broken one;
-- * the UUIDv7 is computed inline, exactly as eventlog_uuid7() computes it.
-- The INSERT, and so the table's CHECKs, are unchanged.

CREATE OR REPLACE FUNCTION eventlog_enqueue(event_type text, context jsonb,
                                            event_time timestamptz DEFAULT now(),
                                            metadata_version bigint DEFAULT 1,
                                            event_id uuid DEFAULT NULL) RETURNS uuid
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  type_name text := event_type;
  context_text text := context::text;
  max_bytes bigint;
  b bytea;
BEGIN
  IF type_name IS NULL OR type_name !~ '^[a-z][a-z0-9]*(_[a-z0-9]+)*$' THEN
    type_name := eventlog_event_type(event_type);
  END IF;
  IF (type_name ~ '^[a-z][a-z0-9_]*$' AND jsonb_typeof(context) = 'object'
      AND octet_length(context_text) <= coalesce(nullif(current_setting(
            'eventlog.max_event_bytes', true), '')::bigint, 1048576)
      AND event_time >= timestamptz '1970-01-01 00:00:00+00'
      AND event_time <= timestamptz '2105-12-31 23:59:59+00'
      AND metadata_version >= 0) IS NOT TRUE THEN
    -- Something is wrong: find what, in the order of 007, and say it.
    IF type_name IS NULL OR type_name !~ '^[a-z][a-z0-9_]*$' THEN
      RAISE EXCEPTION 'eventlog_enqueue: event type "%" is not snake_case (e.g. user_created)',
        event_type USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF context IS NULL OR jsonb_typeof(context) <> 'object' THEN
      RAISE EXCEPTION 'eventlog_enqueue: event context of % is not a JSON object but %',
        type_name, coalesce(jsonb_typeof(context), 'NULL')
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
    max_bytes := coalesce(nullif(current_setting('eventlog.max_event_bytes', true), '')::bigint,
                          1048576);
    IF octet_length(context_text) > max_bytes THEN
      RAISE EXCEPTION 'eventlog_enqueue: event context of % is % bytes, over the limit of % '
        '(eventlog.max_event_bytes)', type_name, octet_length(context_text), max_bytes
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF event_time IS NULL OR event_time < timestamptz '1970-01-01 00:00:00+00'
       OR event_time > timestamptz '2105-12-31 23:59:59+00' THEN
      RAISE EXCEPTION 'eventlog_enqueue: event time of % is outside 1970..2105', type_name
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF metadata_version IS NULL OR metadata_version < 0 THEN
      RAISE EXCEPTION 'eventlog_enqueue: metadata_version of % must be 0 or more', type_name
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
  END IF;
  IF event_id IS NULL THEN  -- eventlog_uuid7(), inline: a version 4 id with the time in front
    b := uuid_send(gen_random_uuid());
    event_id := encode(set_byte(overlay(b PLACING substring(int8send(floor(extract(epoch FROM
                  clock_timestamp()) * 1000)::bigint) FROM 3) FROM 1 FOR 6),
                  6, (get_byte(b, 6) & 15) | 112), 'hex')::uuid;
  END IF;
  INSERT INTO event_outbox (event_id, event_type, event_date_time, environment, event_context,
                            metadata_version)
  VALUES (event_id, type_name, event_time,
          coalesce(nullif(current_setting('eventlog.environment', true), ''), 'Local'),
          context_text, metadata_version);
  RETURN event_id;
END $$;
