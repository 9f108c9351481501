//! Answers through an invitation's link, in SQLite (see [`crate::store::answers`]).

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use crate::store::answers::{Answer, Linked, Standing};
use crate::store::audit::{Entry, Who};
use crate::store::links;
use crate::store::{StoreError, instant};

pub fn by_link(conn: &Connection, link_hash: &str) -> Result<Option<Linked>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT id, email, state, expires_at_ms, locale, inviter FROM invitations
             WHERE link_hash = ?1 OR reminder_link_hash = ?1",
        )?
        .query_row([link_hash], |row| {
            Ok(Linked {
                id: row.get(0)?,
                email: row.get(1)?,
                standing: Standing::parse(&row.get::<_, String>(2)?).unwrap_or(Standing::Revoked),
                expires_at: instant(row.get(3)?),
                locale: row.get(4)?,
                inviter: row.get(5)?,
            })
        })
        .optional()?)
}

pub fn answer(
    tx: &Connection,
    link_hash: &str,
    answer: Answer,
    now: DateTime<Utc>,
    who: &Who,
) -> Result<Option<Linked>, StoreError> {
    let statement = match answer {
        Answer::Accept => {
            "UPDATE invitations SET state = 'accepted', accepted_at_ms = ?2, closed_at_ms = ?2
             WHERE (link_hash = ?1 OR reminder_link_hash = ?1) AND state = 'open'
               AND expires_at_ms > ?2"
        }
        Answer::Decline => {
            "UPDATE invitations SET state = 'declined', declined_at_ms = ?2, closed_at_ms = ?2
             WHERE (link_hash = ?1 OR reminder_link_hash = ?1) AND state = 'open'
               AND expires_at_ms > ?2"
        }
    };
    let answered = tx
        .prepare_cached(statement)?
        .execute(params![link_hash, now.timestamp_millis()])?
        > 0;
    let after = by_link(tx, link_hash)?;
    if let (true, Some(linked)) = (answered, &after) {
        let entry = Entry::answered(answer, &linked.id, &linked.email).storable();
        super::audit::insert(tx, now, who, &entry)?;
    }
    Ok(after)
}

/// Gives an open, unexpired invitation a new link, withdrawing its waiting mail, with its
/// audit record (see [`crate::store::links`]).
pub fn replace_link(
    tx: &Connection,
    id: &str,
    link_hash: &str,
    now: DateTime<Utc>,
    who: &Who,
) -> Result<Option<bool>, StoreError> {
    let Some(email) = tx
        .prepare_cached(
            "UPDATE invitations SET link_hash = ?2, reminder_link_hash = NULL
             WHERE id = ?1 AND state = 'open' AND expires_at_ms > ?3
             RETURNING email",
        )?
        .query_row(params![id, link_hash, now.timestamp_millis()], |row| {
            row.get::<_, String>(0)
        })
        .optional()?
    else {
        return Ok(None);
    };
    let withdrawn = super::outbox::withdraw(tx, id)?;
    let entry = links::copied(id, &email, withdrawn).storable();
    super::audit::insert(tx, now, who, &entry)?;
    Ok(Some(withdrawn))
}
