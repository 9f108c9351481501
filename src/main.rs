fn main() {
    // The loader mounts the console (`mountStandalone`, `mountConsole`) once its language's
    // words are in; starting links the module's exports in.
    org_invitations::start();
}
