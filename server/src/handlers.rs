//! Request handlers: they turn HTTP into calls on the store (or the upstream) and back.

pub mod audit;
pub mod console;
pub mod invitations;
pub mod invitee;
pub mod me;
pub mod probes;
pub mod sessions;
pub mod telemetry;
pub mod userinfo;
pub mod webhooks;
