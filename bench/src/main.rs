//! `cargo xtask bench`: measures the server on loopback and prints medians, each beside a
//! baseline measured in the same run, so the ratio means something on any machine.

mod report;
mod server;

fn main() {
    let quick = std::env::args().any(|arg| arg == "--quick");
    server::run(if quick { server::Plan::quick() } else { server::Plan::full() });
}
