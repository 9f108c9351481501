//! The Content-Security-Policy every page of the server is sent with.

/// The console needs no inline script or style: scripts and styles come from this origin only,
/// and WebAssembly may be compiled. Nothing may frame the pages.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; \
    frame-ancestors 'none'";

/// [`CONTENT_SECURITY_POLICY`] with `origin` as one more place a form may post to: the
/// invitee's page sending a person on with `--accept-redirect` (the only page that sets a
/// policy of its own; the site's layer adds this one where none is set).
pub fn posting_also_to(origin: &str) -> String {
    CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'",
        &format!("form-action 'self' {origin}"),
    )
}
