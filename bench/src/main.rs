//! `cargo xtask bench`: measures the server on loopback and the console in headless Chromium,
//! and prints medians, each beside a baseline measured in the same run, so the ratio means
//! something on any machine.

mod browser;
mod delivery;
mod parse;
mod report;
mod server;
mod soak;
mod webhooks;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|arg| arg == "--quick");
    if args.iter().any(|arg| arg == "--soak") {
        soak::run(if quick { 1 } else { 10 }, 16);
        return;
    }
    let only = args
        .iter()
        .find_map(|arg| arg.strip_prefix("--only="))
        .map(str::to_owned);
    if only.as_deref().is_none_or(|only| only == "server") {
        server::run(if quick {
            server::Plan::quick()
        } else {
            server::Plan::full()
        });
    }
    if only.as_deref().is_none_or(|only| only == "delivery") {
        delivery::run(1000, if quick { 1 } else { 3 });
    }
    if only.as_deref().is_none_or(|only| only == "webhooks") {
        webhooks::run(1000, if quick { 1 } else { 3 });
    }
    if only.as_deref().is_none_or(|only| only == "parse") {
        parse::run(5000, if quick { 3 } else { 21 });
    }
    if only.as_deref().is_none_or(|only| only == "browser") {
        let dist = std::env::var_os("ORG_INVITATIONS_DIST")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| testkit::workspace_root().join("dist"));
        let plan = if quick {
            browser::Plan {
                rows: 2000,
                repetitions: 2,
            }
        } else {
            browser::Plan {
                rows: 10_000,
                repetitions: 5,
            }
        };
        browser::run(plan, &dist);
    }
}
