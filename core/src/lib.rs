//! Everything about organization invitations that needs no browser and no server: the wire
//! types of the invitation API, email rules and date formatting. The console and the server
//! both depend on this crate, so serialisation here is the single source of truth.

pub mod datetime;
pub mod deletion;
pub mod email;
pub mod email_input;
pub mod english;
pub mod export;
#[doc(hidden)]
pub mod fuzzing;
pub mod invitation;
pub mod invite_outcome;
pub mod listing;
pub mod messages;
pub mod paging_token;
pub mod resend;
pub mod retry;
pub mod role;
pub mod rows;
pub mod status;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod timeline;
pub mod webhook;
pub mod wire;

pub use invitation::OrganizationInvitation;
