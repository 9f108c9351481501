//! What a host page decides when it mounts the console.

/// Options for [`crate::mount`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsoleOptions {
    /// Where the invitation API lives, without a trailing slash; empty for the page's own origin.
    pub api_base: String,
    /// A token to send as `Authorization: Bearer`. Without one the browser's cookies are used
    /// (the stand-alone page is signed in by a session cookie).
    pub token: Option<String>,
}
