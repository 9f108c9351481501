//! Answers through an invitation's link, in PostgreSQL (see [`crate::store::answers`]).

use chrono::{DateTime, Utc};
use tokio_postgres::Row;

use super::PostgresBackend;
use super::audit::insert_audit;
use crate::store::answers::{Answer, Linked, Standing};
use crate::store::audit::{Entry, Who};
use crate::store::links;
use crate::store::{StoreError, instant};

const LINKED: &str = "id, email, state, expires_at_ms, locale, inviter";

fn linked(row: &Row) -> Linked {
    Linked {
        id: row.get(0),
        email: row.get(1),
        standing: Standing::parse(row.get(2)).unwrap_or(Standing::Revoked),
        expires_at: instant(row.get(3)),
        locale: row.get(4),
        inviter: row.get(5),
    }
}

pub(super) async fn by_link(
    backend: &PostgresBackend,
    link_hash: &str,
) -> Result<Option<Linked>, StoreError> {
    Ok(backend
        .client()
        .await?
        .query_opt(
            &format!(
                "SELECT {LINKED} FROM invitations WHERE link_hash = $1 OR reminder_link_hash = $1"
            ),
            &[&link_hash],
        )
        .await?
        .map(|row| linked(&row)))
}

pub(super) async fn answer(
    backend: &PostgresBackend,
    link_hash: &str,
    answer: Answer,
    now: DateTime<Utc>,
    who: &Who,
) -> Result<Option<Linked>, StoreError> {
    let (state, column) = match answer {
        Answer::Accept => ("accepted", "accepted_at_ms"),
        Answer::Decline => ("declined", "declined_at_ms"),
    };
    let mut client = backend.client().await?;
    let tx = client.transaction().await?;
    let answered = tx
        .execute(
            &format!(
                "UPDATE invitations SET state = $3, {column} = $2, closed_at_ms = $2
                 WHERE (link_hash = $1 OR reminder_link_hash = $1) AND state = 'open'
                   AND expires_at_ms > $2"
            ),
            &[&link_hash, &now.timestamp_millis(), &state],
        )
        .await?
        > 0;
    let after = tx
        .query_opt(
            &format!(
                "SELECT {LINKED} FROM invitations WHERE link_hash = $1 OR reminder_link_hash = $1"
            ),
            &[&link_hash],
        )
        .await?
        .map(|row| linked(&row));
    if let (true, Some(linked)) = (answered, &after) {
        let entry = Entry::answered(answer, &linked.id, &linked.email).storable();
        insert_audit(&tx, now, who, &entry).await?;
    }
    tx.commit().await?;
    Ok(after)
}

/// Gives an open, unexpired invitation a new link, withdrawing its waiting mail, with its
/// audit record (see [`crate::store::links`]).
pub(super) async fn replace_link(
    backend: &PostgresBackend,
    id: &str,
    link_hash: &str,
    now: DateTime<Utc>,
    who: &Who,
) -> Result<Option<bool>, StoreError> {
    let mut client = backend.client().await?;
    let tx = client.transaction().await?;
    let Some(row) = tx
        .query_opt(
            "UPDATE invitations SET link_hash = $2, reminder_link_hash = NULL
             WHERE id = $1 AND state = 'open' AND expires_at_ms > $3
             RETURNING email",
            &[&id, &link_hash, &now.timestamp_millis()],
        )
        .await?
    else {
        return Ok(None);
    };
    let email: String = row.get(0);
    let withdrawn = super::outbox::withdraw(&tx, id).await?;
    let entry = links::copied(id, &email, withdrawn).storable();
    insert_audit(&tx, now, who, &entry).await?;
    tx.commit().await?;
    Ok(Some(withdrawn))
}
