//! The migrations (`migrations/{sqlite,postgres}`) are embedded when the server is built: a new
//! file there must rebuild it, which `include_str!` alone does not notice.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
