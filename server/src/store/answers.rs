//! The person invited answers through the link in their mail: the link finds its invitation
//! (whatever became of it, so the page can say), and accepting or declining it happens once,
//! while it is open and unexpired. Links are found by the hash of their token only.

use chrono::{DateTime, Utc};

use super::audit::Who;
use super::{Store, StoreError, sha256_hex, timed};

/// What became of an invitation, as its link finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Waiting for an answer (or past its expiry: see [`Linked::expires_at`]).
    Open,
    /// Revoked by an admin.
    Revoked,
    /// Replaced by a newer invitation (a resend, or a new one after it expired).
    Superseded,
    Accepted,
    Declined,
}

impl Standing {
    /// The state as stored.
    pub fn parse(stored: &str) -> Option<Self> {
        Some(match stored {
            "open" => Self::Open,
            "revoked" => Self::Revoked,
            "superseded" => Self::Superseded,
            "accepted" => Self::Accepted,
            "declined" => Self::Declined,
            _ => return None,
        })
    }
}

/// An invitation as its link finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Linked {
    pub id: String,
    pub email: String,
    pub standing: Standing,
    pub expires_at: DateTime<Utc>,
    pub locale: String,
    pub inviter: Option<String>,
}

/// The person's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Accept,
    Decline,
}

impl Store {
    /// The invitation whose link carries `token`, whatever became of it; `None` for a token no
    /// mail ever carried (or one replaced by a newer link).
    pub async fn invitation_by_link(&self, token: &str) -> Result<Option<Linked>, StoreError> {
        timed(
            "invitation_by_link",
            self.backend.by_link(&sha256_hex(token)),
        )
        .await
    }

    /// Accepts or declines the invitation whose link carries `token`, if it is open and
    /// unexpired at `now`, and records it, as done by the person invited from `client`;
    /// returns it as it stands after (answered now, or as it was).
    pub async fn answer_invitation(
        &self,
        token: &str,
        answer: Answer,
        now: DateTime<Utc>,
        invitee: &Invitee,
    ) -> Result<Option<Linked>, StoreError> {
        let who = invitee.who().storable();
        let answered = timed(
            "answer_invitation",
            self.backend.answer(&sha256_hex(token), answer, now, &who),
        )
        .await;
        self.wake_webhooks();
        answered
    }
}

/// The person answering through a link, as the audit trail records them: by the address
/// invited (the link proves they read its mail), from their client.
#[derive(Debug, Clone)]
pub struct Invitee {
    pub email: String,
    pub request_id: String,
    pub client: Option<String>,
}

impl Invitee {
    fn who(&self) -> Who {
        Who {
            actor: self.email.clone(),
            method: "invitation_link",
            request_id: self.request_id.clone(),
            client: self.client.clone(),
        }
    }
}
