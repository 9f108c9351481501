//! Reusable behaviour of the console, each a `use_x` function returning what its caller needs
//! (shaped like leptos-use's hooks).

mod use_clock;
mod use_invitations;
mod use_settled;
mod use_visible_stretch;

pub use use_clock::use_clock;
pub use use_invitations::{Invitations, Progress, use_invitations};
pub use use_settled::{Settle, use_settled};
pub use use_visible_stretch::{Viewport, use_visible_stretch};
