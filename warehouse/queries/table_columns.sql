-- The column names of one table of the main schema, in order.
SELECT column_name FROM information_schema.columns
WHERE table_schema = 'main' AND table_name = $table
ORDER BY ordinal_position;
