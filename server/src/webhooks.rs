//! Webhooks: the endpoints admins keep (where to post which invitation events, and the
//! secret deliveries are signed with), the rules for where the server may post, and the
//! worker that posts each event written beside the change it reports.

pub mod resolver;
pub mod secret;
pub mod sender;
pub mod signature;
pub mod target;
pub mod worker;
