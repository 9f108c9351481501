//! Who is calling and what they may do: the credentials a request can present (the owner
//! token, a named token, a browser session, an identity from the login proxy), the identity
//! and role they prove, the roles file, the permits handlers ask for, and the limits on
//! changes and failed sign-ins.

pub mod accept_ticket;
pub mod authenticate;
pub mod credentials;
pub mod cross_site;
pub mod identity;
pub mod owner_token;
pub mod permit;
pub mod public_origin;
pub mod rate_limits;
pub mod roles;
pub mod session_cookie;
