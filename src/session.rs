//! The signed-in session as the console sees it: who the caller is and what their role allows
//! (`access`), and signing out (`sign_out`).

pub mod access;
pub mod sign_out;
