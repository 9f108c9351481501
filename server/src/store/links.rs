//! Links an admin hands over another way ("Copy link"), for a mail lost to spam: a fresh
//! token for an open, unexpired invitation, the one before it dead at once. Any mail still
//! waiting for that invitation is withdrawn in the same transaction: sent later, it would
//! carry a newer link and kill the one just handed over.

use chrono::{DateTime, Utc};

use super::audit::{Action, Entry, Who};
use super::outbox::new_token;
use super::text::storable;
use super::{Store, StoreError, sha256_hex, timed};

/// A link just made: its token (shown once, stored only as a hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopiedLink {
    pub token: String,
    /// Whether mail still waiting for the invitation was withdrawn.
    pub mail_withdrawn: bool,
}

impl Store {
    /// Gives the open invitation `id`, unexpired at `now`, a fresh link, recording it as
    /// `who`'s; `None` when there is no such invitation (revoked, answered, replaced, expired
    /// or unknown).
    pub async fn copy_link(
        &self,
        id: &str,
        now: DateTime<Utc>,
        who: &Who,
    ) -> Result<Option<CopiedLink>, StoreError> {
        let token = new_token();
        let withdrawn = timed(
            "copy_link",
            self.backend
                .replace_link(&storable(id), &sha256_hex(&token), now, &who.storable()),
        )
        .await?;
        Ok(withdrawn.map(|mail_withdrawn| CopiedLink {
            token,
            mail_withdrawn,
        }))
    }
}

/// What the trail keeps of a copied link: who, which invitation, and whether waiting mail
/// was withdrawn; never the link.
pub fn copied(id: &str, email: &str, mail_withdrawn: bool) -> Entry {
    Entry {
        action: Action::LinkCopied,
        email: Some(email.to_owned()),
        invitation_id: Some(id.to_owned()),
        replaces: None,
        status: Some(200),
        detail: mail_withdrawn.then(|| "The mail still waiting was withdrawn".to_owned()),
    }
}
