-- +goose Up
-- A register's text search looks for a substring of each record's search
-- text. On PostgreSQL a GIN index over the pairs of adjacent characters of
-- that text finds the records that can hold a word of two characters or
-- more (a two-character Chinese word has no trigram for pg_trgm to use);
-- kexie_pairs gives those pairs, and the index keeps them on every write.
-- SQLite keeps the pairs in an FTS5 table per register instead, which the
-- register package writes.
{{if eq .Name "postgres"}}
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION kexie_pairs(s text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 1000
AS $$ SELECT COALESCE(array_agg(substr(s, i, 2)), '{}') FROM generate_series(1, char_length(s) - 1) AS i $$;
-- +goose StatementEnd
{{else}}
SELECT 1;
{{end}}
-- +goose Down
{{if eq .Name "postgres"}}
DROP FUNCTION IF EXISTS kexie_pairs(text);
{{else}}
SELECT 1;
{{end}}
