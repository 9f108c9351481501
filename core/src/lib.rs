//! Everything about organization invitations that needs no browser and no server: the wire
//! types of the invitation API, email rules and date formatting. The console and the server
//! both depend on this crate, so serialisation here is the single source of truth.

pub mod datetime;
pub mod email;
pub mod email_input;
pub mod invitation;
pub mod listing;
pub mod status;
pub mod wire;

pub use invitation::OrganizationInvitation;
