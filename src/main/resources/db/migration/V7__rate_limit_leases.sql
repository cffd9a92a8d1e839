-- Rate-limit leases: a replica claims up to n tokens of a key's bucket in one statement and spends
-- them from memory. RETURNING shows only the new row (PostgreSQL before 18 cannot return the old
-- one), so the number of tokens the claim granted is kept in the row for RETURNING to report.
-- Adding a column with a constant default rewrites nothing; code that does not know the column
-- (a replica still on the per-request statement during a rolling update) keeps working.
ALTER TABLE rate_limit_buckets ADD COLUMN last_grant integer NOT NULL DEFAULT 0;
