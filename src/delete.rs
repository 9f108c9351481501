//! Deleting invitations: a confirmation naming what goes, an undo window before anything is
//! sent, revocations a few at a time, and notices of what happened.

mod dialog;
mod notices;
mod service;

pub use dialog::ConfirmDeleteDialog;
pub use notices::DeletionNotices;
pub use service::{Batch, DeletionEvent, Deletions, Stage, UNDO_WINDOW};

use leptos::prelude::*;

use crate::later::{Part, SplitLoaderError, split};

split! {
    /// The deletion notices and the confirmation dialog, in the `later` module.
    pub fn deletion_part() -> Result<Part<()>, SplitLoaderError> {
        Ok(|()| {
            view! {
                <DeletionNotices />
                <ConfirmDeleteDialog />
            }
                .into_any()
        })
    }
}
