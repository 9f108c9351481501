//! Who is signed in and what their role allows, asked of the server once: the console shows
//! only what the caller may do. A server without this project's `me` endpoint (any other
//! server of the contract) is taken to allow everything, as before; it still has the last word.

use leptos::prelude::*;
use leptos::task::spawn_local;
use org_invitations_core::role::Role;
use org_invitations_core::wire::Me;

use crate::api::ApiClient;

/// What the console knows of the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// Not known yet: nothing that changes data is shown until it is.
    Asking,
    Known(Me),
    /// The server does not say (another server of the contract).
    Unknown,
}

#[derive(Clone, Copy)]
pub struct Access {
    pub caller: RwSignal<Caller>,
    /// The organization's name, from `userinfo`, once known.
    pub organization: RwSignal<Option<String>>,
}

impl Access {
    /// Asks the server who the caller is, and provides the answer to the components below.
    pub fn provide(client: ApiClient) -> Self {
        let access = Self {
            caller: RwSignal::new(Caller::Asking),
            organization: RwSignal::new(None),
        };
        provide_context(access);
        let asking = client.clone();
        spawn_local(async move {
            if let Ok(name) = asking.organization_name().await {
                access.organization.try_set(name);
            }
        });
        spawn_local(async move {
            let caller = match client.me().await {
                Ok(me) => Caller::Known(me),
                Err(_) => Caller::Unknown,
            };
            access.caller.try_set(caller);
        });
        access
    }

    fn allows(&self, may: impl Fn(Role) -> bool) -> bool {
        self.caller.with(|caller| match caller {
            Caller::Asking => false,
            Caller::Known(me) => me.role.is_some_and(&may),
            Caller::Unknown => true,
        })
    }

    pub fn may_invite(&self) -> bool {
        self.allows(Role::may_invite)
    }

    pub fn may_revoke(&self) -> bool {
        self.allows(Role::may_revoke)
    }

    /// Only this project's server keeps an audit trail, and only admins read it.
    pub fn may_read_activity(&self) -> bool {
        self.caller.with(
            |caller| matches!(caller, Caller::Known(me) if me.role.is_some_and(Role::may_revoke)),
        )
    }

    /// Whether the server replaces an invitation in one step (else: revoke, then create).
    pub fn offers_resend(&self) -> bool {
        self.caller
            .with(|caller| matches!(caller, Caller::Known(me) if me.resend))
    }

    /// Whether the server sends the invitations' mail itself and says how each fares (then
    /// invitations are "queued", not "sent", and rows show their mail).
    pub fn reports_delivery(&self) -> bool {
        self.caller
            .with(|caller| matches!(caller, Caller::Known(me) if me.delivery))
    }

    /// "Signed in as alice@corp.example (admin)", once known.
    pub fn signed_in_as(&self) -> Option<String> {
        self.caller.with(|caller| match caller {
            Caller::Known(me) => {
                use crate::i18n::words::{key, t, tf};
                let role = me
                    .role
                    .map_or_else(|| t(key!("app.no_role")), |role| t(role.message_key()));
                Some(tf(
                    key!("app.signed_in_as"),
                    &[("who", &me.actor), ("role", &role)],
                ))
            }
            _ => None,
        })
    }
}
