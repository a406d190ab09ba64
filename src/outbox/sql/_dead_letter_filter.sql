($1::boolean OR event_type = $2::text OR id = ANY($3::bigint[]))
