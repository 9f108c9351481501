//! `cargo xtask bench --soak`: the mixed load for ten minutes on 10,000 invitations, minute by
//! minute, with the server's memory at the start and at the end: a leak or a slowdown that a
//! 30-second run cannot show shows here.

use std::time::Duration;

use crate::report::ms;
use crate::server::{Client, Mix, load, unlimited_server};

pub fn run(minutes: u64, clients: usize) {
    let server = unlimited_server(None);
    let client = Client::new(&server);
    for start in (0..10_000).step_by(1000) {
        let emails: Vec<String> = (start..start + 1000)
            .map(|i| format!("soak{i}@example.com"))
            .collect();
        client.batch(&emails);
    }
    let pid = server.pid().expect("the server runs");
    let at_start = resident_kib(pid);
    println!(
        "Soak: mixed list 70% / create 20% / invalidate 10%, {clients} clients, {minutes} minutes; server memory at start {at_start} KiB"
    );
    println!(
        "\n| minute | requests/s | p50 | p99 | errors | server memory |\n|---|---|---|---|---|---|"
    );
    let (mut requests, mut errors) = (0, 0);
    for minute in 1..=minutes {
        let result = load(
            &[&server],
            clients,
            Duration::from_secs(60),
            Mix::Invitations,
        );
        requests += result.requests;
        errors += result.errors;
        println!(
            "| {minute} | {:.0} | {} | {} | {} | {} KiB |",
            result.per_second,
            ms(result.p50),
            ms(result.p99),
            result.errors,
            resident_kib(pid)
        );
    }
    let at_end = resident_kib(pid);
    println!(
        "\n{requests} requests, {errors} errors; server memory {at_start} KiB at start, {at_end} KiB at the end"
    );
    assert_eq!(errors, 0, "a soak with errors measures nothing");
}

/// The process's resident memory (VmRSS), in KiB.
fn resident_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmRSS:"))
                .and_then(|value| value.split_whitespace().next()?.parse().ok())
        })
        .unwrap_or(0)
}
