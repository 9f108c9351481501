fn main() {
    // Panic messages in the browser console are for developers: the hook's formatting
    // machinery stays out of the release build.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    org_invitations::mount_standalone();
}
