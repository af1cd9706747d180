-- Latency sketches stored as bytes instead of JSONB (issue 19): PostgreSQL parses every number of
-- a JSONB value into a `numeric`, and a sketch has ~200 bucket counts, so a COPY of minute rows ran
-- 7x faster into bytea than into jsonb. The stored form (libs/domain stored-sketch.ts) is a 45-byte
-- big-endian header and the counts as unsigned LEB128 varints.
--
-- Existing rows are converted in place by the function below (the same bytes the controller writes;
-- an integration test compares the two), dropped again at the end. Written by hand: Prisma would
-- drop and re-add the columns. The function body holds no semicolon, as Prisma's migration runner
-- splits scripts at semicolons.
CREATE FUNCTION lattice_stored_sketch(s jsonb) RETURNS bytea LANGUAGE sql IMMUTABLE STRICT AS $fn$
  SELECT '\x01'::bytea
    || float8send((s ->> 'relativeAccuracy')::float8)
    || int4send(CASE WHEN jsonb_array_length(s -> 'counts') = 0 THEN 0 ELSE (s ->> 'offset')::int4 END)
    || int8send((s ->> 'zeroCount')::int8)
    || float8send((s ->> 'min')::float8)
    || float8send((s ->> 'max')::float8)
    || float8send((s ->> 'sum')::float8)
    || coalesce((
      SELECT decode(string_agg(lpad(to_hex(((e.c >> (7 * k)) & 127) | CASE WHEN (e.c >> (7 * (k + 1))) > 0 THEN 128 ELSE 0 END), 2, '0'), '' ORDER BY e.i, k), 'hex')
      FROM (SELECT a.v::bigint AS c, a.i FROM jsonb_array_elements_text(s -> 'counts') WITH ORDINALITY AS a(v, i)) e
      CROSS JOIN generate_series(0, 7) AS k
      WHERE k = 0 OR (e.c >> (7 * k)) > 0
    ), '\x'::bytea)
$fn$;

ALTER TABLE "telemetry_minutes" ALTER COLUMN "sketch" TYPE BYTEA USING lattice_stored_sketch("sketch");
ALTER TABLE "telemetry_hours" ALTER COLUMN "sketch" TYPE BYTEA USING lattice_stored_sketch("sketch");

DROP FUNCTION lattice_stored_sketch(jsonb);
