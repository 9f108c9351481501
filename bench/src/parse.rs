//! The invite form's parser on a paste of 5,000 addresses, beside merely splitting the same
//! text at its separators (no validation) in the same run.

use std::collections::HashSet;
use std::hint::black_box;
use std::time::{Duration, Instant};

use org_invitations_core::email_input::parse;

use crate::report::{header, line, median, ms};

pub fn run(addresses: usize, repetitions: usize) {
    let paste: String = (0..addresses)
        .map(|i| match i % 4 {
            0 => format!("user{i}@example.com"),
            1 => format!("Person {i} <person{i}@example.org>"),
            2 => format!("\"Last{i}, First\" <first.last{i}@example.net>"),
            _ => format!("mailto:contact{i}@example.co.uk"),
        })
        .collect::<Vec<_>>()
        .join(",\n");
    let pending: HashSet<String> = (0..addresses)
        .step_by(10)
        .map(|i| format!("user{i}@example.com"))
        .collect();

    let time = |work: &dyn Fn() -> usize| {
        let mut samples: Vec<Duration> = (0..repetitions)
            .map(|_| {
                let started = Instant::now();
                black_box(work());
                started.elapsed()
            })
            .collect();
        median(&mut samples)
    };
    let parsed = time(&|| parse(black_box(&paste), &pending).len());
    let split = time(&|| {
        black_box(&paste)
            .split([',', ';', '\n', '\t', ' '])
            .filter(|part| !part.is_empty())
            .count()
    });
    assert_eq!(
        parse(&paste, &pending).len(),
        addresses,
        "every address found"
    );

    header("Invite form parser (native)");
    line(
        &format!("parse and judge {addresses} pasted addresses"),
        &ms(parsed),
        "split the same text at separators",
        &ms(split),
        parsed.as_secs_f64() / split.as_secs_f64(),
    );
}
