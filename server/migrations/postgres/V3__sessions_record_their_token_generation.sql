-- A session records the generation of the owner token that signed it in; sessions made
-- before have none, match no token, and end.
ALTER TABLE sessions ADD COLUMN generation TEXT;
