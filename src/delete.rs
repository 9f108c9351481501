//! Deleting invitations: a confirmation naming what goes, an undo window before anything is
//! sent, revocations a few at a time, and notices of what happened.

mod dialog;
mod notices;
mod service;

pub use dialog::ConfirmDeleteDialog;
pub use notices::DeletionNotices;
pub use service::{Batch, DeletionEvent, Deletions, Stage, UNDO_WINDOW};
