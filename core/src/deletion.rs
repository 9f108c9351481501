//! What a deletion did, in words: the console's notices and announcements say it this way.

use crate::OrganizationInvitation;

/// What the server did with a batch of revocations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Outcome {
    pub deleted: usize,
    /// Someone else revoked these first (404): gone, but not by us.
    pub already_gone: usize,
    pub failed: usize,
    /// The request may have been carried out, but no answer says so (the connection dropped
    /// after sending, or the answer could not be read): shown in the list until a refresh
    /// tells.
    pub unknown: usize,
}

impl Outcome {
    /// The sentence for a finished batch: "2 deleted; 1 could not be deleted and is back in
    /// the list."
    pub fn describe(self) -> String {
        let mut parts = Vec::new();
        if self.deleted > 0 {
            parts.push(format!("{} deleted", self.deleted));
        }
        if self.already_gone > 0 {
            parts.push(format!(
                "{} had already been deleted by someone else",
                self.already_gone
            ));
        }
        if self.failed > 0 {
            parts.push(format!(
                "{} could not be deleted and {} back in the list",
                self.failed,
                if self.failed == 1 { "is" } else { "are" }
            ));
        }
        if self.unknown > 0 {
            parts.push(format!(
                "{} unknown: the server's answer was lost, check the list",
                self.unknown
            ));
        }
        let mut sentence = parts.join("; ");
        if let Some(first) = sentence.get(..1) {
            sentence = format!("{}{}.", first.to_uppercase(), &sentence[1..]);
        }
        sentence
    }
}

/// What a batch of invitations is called in notices: "Invitation for a@x.com" or
/// "3 invitations".
pub fn subject(invitations: &[OrganizationInvitation]) -> String {
    match invitations {
        [one] => format!("Invitation for {}", one.email),
        many => format!("{} invitations", many.len()),
    }
}

/// What a batch's controls name: "d2@x.com" or "3 invitations", as in "Undo deleting
/// d2@x.com", so two notices' buttons never share a name.
pub fn target(invitations: &[OrganizationInvitation]) -> String {
    match invitations {
        [one] => one.email.clone(),
        many => format!("{} invitations", many.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::invitation;

    #[test]
    fn an_outcome_reads_as_one_sentence_naming_only_what_happened() {
        let outcome = |deleted, already_gone, failed| Outcome {
            deleted,
            already_gone,
            failed,
            unknown: 0,
        };
        assert_eq!(outcome(3, 0, 0).describe(), "3 deleted.");
        assert_eq!(
            outcome(1, 1, 1).describe(),
            "1 deleted; 1 had already been deleted by someone else; 1 could not be deleted and is back in the list."
        );
        assert_eq!(
            outcome(0, 0, 2).describe(),
            "2 could not be deleted and are back in the list."
        );
        assert_eq!(outcome(0, 0, 0).describe(), "");
        let lost = Outcome {
            deleted: 1,
            unknown: 2,
            ..Outcome::default()
        };
        assert_eq!(
            lost.describe(),
            "1 deleted; 2 unknown: the server's answer was lost, check the list."
        );
    }

    #[test]
    fn one_invitation_is_named_by_its_address_many_by_their_count() {
        let now = chrono::DateTime::UNIX_EPOCH;
        let one = invitation("orginv_a", "a@x.com", now);
        let two = invitation("orginv_b", "b@x.com", now);
        assert_eq!(
            subject(std::slice::from_ref(&one)),
            "Invitation for a@x.com"
        );
        assert_eq!(target(std::slice::from_ref(&one)), "a@x.com");
        assert_eq!(subject(&[one.clone(), two.clone()]), "2 invitations");
        assert_eq!(target(&[one, two]), "2 invitations");
    }
}
