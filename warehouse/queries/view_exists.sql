-- The columns of a view or table (none when it does not exist), in order.
SELECT column_name
FROM information_schema.columns
WHERE table_name = $name
ORDER BY ordinal_position;
