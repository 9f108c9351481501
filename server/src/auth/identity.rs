//! Who is calling, how they proved it, and what they may do.

use std::net::IpAddr;

use axum::http::HeaderName;
use serde::Serialize;

use crate::auth::roles::SharedRoles;

use org_invitations_core::role::Role;

/// How a caller proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    /// The server's own token (`run` prints it): the owner, an admin.
    OwnerToken,
    /// A named token made with `tokens create`.
    NamedToken,
    /// A browser session started by the sign-in link (the owner token's holder).
    Session,
    /// The address an authenticating proxy put in the configured header.
    Proxy,
}

impl AuthMethod {
    pub fn name(self) -> &'static str {
        match self {
            AuthMethod::OwnerToken => "owner_token",
            AuthMethod::NamedToken => "named_token",
            AuthMethod::Session => "session",
            AuthMethod::Proxy => "proxy",
        }
    }
}

/// The caller of one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identity {
    /// An address (proxy), `token:NAME` (a named token), or `owner`.
    pub actor: String,
    pub method: AuthMethod,
    /// `None`: authenticated, but granted nothing (a proxy identity no pattern of the roles
    /// file matches).
    pub role: Option<Role>,
}

impl Identity {
    pub fn owner(method: AuthMethod) -> Self {
        Self {
            actor: "owner".into(),
            method,
            role: Some(Role::Admin),
        }
    }
}

/// Who may act through the proxy header: the header, the proxy's addresses, and the roles
/// (shared with the task that re-reads the roles file on SIGHUP).
#[derive(Clone)]
pub struct ProxyAuth {
    pub header: HeaderName,
    pub trusted: Vec<IpAddr>,
    /// The header in which the proxy names the client's address (`--client-address-header`).
    pub client_header: HeaderName,
    pub roles: SharedRoles,
}
