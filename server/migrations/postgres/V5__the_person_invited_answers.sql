-- The person invited answers: an invitation can be accepted or declined (once), and keeps
-- when it was declined as it keeps when it was accepted.
ALTER TABLE invitations DROP CONSTRAINT invitations_state_check;
ALTER TABLE invitations ADD CONSTRAINT invitations_state_check
    CHECK (state IN ('open', 'revoked', 'superseded', 'accepted', 'declined'));
ALTER TABLE invitations ADD COLUMN declined_at_ms BIGINT;
