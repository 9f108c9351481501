-- How many invitations are open, kept by the database itself: counting them on every list
-- request cost a scan of every open row (2 ms at 30,000). A listing's total is this minus the
-- expired open ones, which open_invitations_by_expiry counts quickly (there are few). Releases
-- at schema 1 to 3 made it at every start, outside the numbered steps, so a file may have it
-- already: it is made, and filled from the rows there, only where it is missing.
CREATE TABLE IF NOT EXISTS open_count (n INTEGER NOT NULL);
INSERT INTO open_count (n)
    SELECT COUNT(*) FROM invitations WHERE state = 'open'
    AND NOT EXISTS (SELECT 1 FROM open_count);
CREATE TRIGGER IF NOT EXISTS open_count_on_insert AFTER INSERT ON invitations
    WHEN NEW.state = 'open'
    BEGIN UPDATE open_count SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS open_count_on_close AFTER UPDATE OF state ON invitations
    WHEN OLD.state = 'open' AND NEW.state <> 'open'
    BEGIN UPDATE open_count SET n = n - 1; END;
CREATE TRIGGER IF NOT EXISTS open_count_on_reopen AFTER UPDATE OF state ON invitations
    WHEN OLD.state <> 'open' AND NEW.state = 'open'
    BEGIN UPDATE open_count SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS open_count_on_delete AFTER DELETE ON invitations
    WHEN OLD.state = 'open'
    BEGIN UPDATE open_count SET n = n - 1; END;
