//! Roles: what a caller of this project's server may do. The server enforces them; the
//! console shows only what the caller's role allows.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Each role may do everything the ones before it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// List and read.
    Viewer,
    /// Also invite.
    Inviter,
    /// Also revoke, and read the audit trail.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Inviter, Role::Admin];

    pub fn name(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Inviter => "inviter",
            Role::Admin => "admin",
        }
    }

    /// The key of the role's name in words (`crate::english`).
    pub fn message_key(self) -> crate::messages::Key {
        match self {
            Role::Viewer => crate::key!("role.viewer"),
            Role::Inviter => crate::key!("role.inviter"),
            Role::Admin => crate::key!("role.admin"),
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|role| role.name() == name)
    }

    pub fn may_invite(self) -> bool {
        self >= Role::Inviter
    }

    pub fn may_revoke(self) -> bool {
        self == Role::Admin
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stronger_roles_may_do_what_weaker_ones_may() {
        assert!(Role::Viewer < Role::Inviter && Role::Inviter < Role::Admin);
        assert!(!Role::Viewer.may_invite() && Role::Inviter.may_invite());
        assert!(!Role::Inviter.may_revoke() && Role::Admin.may_revoke());
        for role in Role::ALL {
            assert_eq!(Role::parse(role.name()), Some(role));
            assert_eq!(serde_json::to_string(&role).unwrap(), format!("\"{role}\""));
        }
        assert_eq!(Role::parse("owner"), None);
    }
}
