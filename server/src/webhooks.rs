//! Webhooks: the endpoints admins keep (where to post which invitation events, and the
//! secret deliveries are signed with), and the rules for where the server may post.

pub mod secret;
pub mod target;
