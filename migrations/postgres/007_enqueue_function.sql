-- Producers in any language (issue 9): one function call inside the application's own
-- transaction writes an event with the same rules as the C++ OutboxWriter.
--
--   SELECT eventlog_enqueue('UserCreated', '{"user_id": 42}');
--
-- Settings it reads (per database, role or session; unset means the default):
--   eventlog.environment      the environment column (default 'Local', as ENVIRONMENT)
--   eventlog.max_event_bytes  the largest context, in bytes of JSON text (default 1048576, as
--                             EVENTLOG_MAX_EVENT_BYTES)

-- A time-ordered UUID (RFC 9562 version 7): 48 bits of Unix milliseconds, then random bits.
CREATE OR REPLACE FUNCTION eventlog_uuid7(at timestamptz DEFAULT clock_timestamp()) RETURNS uuid
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $$
DECLARE
  b bytea := uuid_send(gen_random_uuid());  -- version 4: random, with the RFC variant bits
BEGIN
  b := overlay(b PLACING substring(int8send(floor(extract(epoch FROM at) * 1000)::bigint) FROM 3)
               FROM 1 FOR 6);
  b := set_byte(b, 6, (get_byte(b, 6) & 15) | 112);  -- version 7
  RETURN encode(b, 'hex')::uuid;
END $$;

-- An event name as the C++ MakeEvent writes it: 'UserCreated', 'user-created' and 'HTTPRequest'
-- become 'user_created', 'user_created' and 'http_request'.
CREATE OR REPLACE FUNCTION eventlog_event_type(name text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT btrim(regexp_replace(lower(
           regexp_replace(regexp_replace(translate(name, '-. ', '___'),
                                         '([a-z0-9])([A-Z])', '\1_\2', 'g'),
                          '([A-Z])([A-Z][a-z])', '\1_\2', 'g')),
         '_+', '_', 'g'), '_')
$$;

CREATE OR REPLACE FUNCTION eventlog_enqueue(event_type text, context jsonb,
                                            event_time timestamptz DEFAULT now(),
                                            metadata_version bigint DEFAULT 1,
                                            event_id uuid DEFAULT NULL) RETURNS uuid
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  type_name text := eventlog_event_type(event_type);
  context_text text;
  max_bytes bigint := coalesce(nullif(current_setting('eventlog.max_event_bytes', true), '')::bigint,
                               1048576);
  id uuid := coalesce(event_id, eventlog_uuid7());
BEGIN
  IF type_name IS NULL OR type_name !~ '^[a-z][a-z0-9_]*$' THEN
    RAISE EXCEPTION 'eventlog_enqueue: event type "%" is not snake_case (e.g. user_created)',
      event_type USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF context IS NULL OR jsonb_typeof(context) <> 'object' THEN
    RAISE EXCEPTION 'eventlog_enqueue: event context of % is not a JSON object but %', type_name,
      coalesce(jsonb_typeof(context), 'NULL') USING ERRCODE = 'invalid_parameter_value';
  END IF;
  context_text := context::text;
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
  INSERT INTO event_outbox (event_id, event_type, event_date_time, environment, event_context,
                            metadata_version)
  VALUES (id, type_name, event_time,
          coalesce(nullif(current_setting('eventlog.environment', true), ''), 'Local'),
          context_text, metadata_version);
  RETURN id;
END $$;
