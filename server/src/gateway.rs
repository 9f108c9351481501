//! Gateway mode (`--upstream URL`): the server keeps no invitations and forwards the API to
//! a real upstream with the upstream's token: its HTTP client, the forwarding handler, and
//! the audit records of what was forwarded.

pub mod audit_trail;
pub mod forward;
pub mod upstream;
