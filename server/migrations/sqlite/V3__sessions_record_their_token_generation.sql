-- A session records the generation of the owner token that signed it in. Sessions made
-- before have none, match no token, and end: their browsers sign in again.
ALTER TABLE sessions ADD COLUMN generation TEXT;
