fn main() {
    console_error_panic_hook::set_once();
    org_invitations::mount_standalone();
}
