(event_date_time >= timestamptz '1900-01-01 00:00:00+00' AND
 event_date_time < timestamptz '2300-01-01 00:00:00+00')
