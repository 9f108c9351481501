//! Delivery: the worker that takes each invitation's mail from the outbox and has it accepted
//! by a mail server (or written to the data folder's `mail/` when none is configured). A
//! store client on the store's floor, not HTTP code: it runs in every server instance, claims
//! messages under a lease (so instances never send one message at once, and a crashed one's
//! claims are taken back), sends a few at a time, and settles each: sent, retried later with
//! a growing wait while the refusal is temporary, failed at once when it is permanent or the
//! invitation would expire first. Nothing is lost across a restart: what was not settled is
//! claimed again.

pub mod channel;
pub mod dkim;
pub mod message;
pub mod schedule;
pub mod worker;
