//! Medians, percentiles and the printed table.

use std::time::Duration;

pub fn median(samples: &mut [Duration]) -> Duration {
    percentile(samples, 50.0)
}

/// Nearest-rank percentile; sorts `samples`.
pub fn percentile(samples: &mut [Duration], pct: f64) -> Duration {
    assert!(!samples.is_empty(), "no samples");
    samples.sort_unstable();
    let rank = ((pct / 100.0) * samples.len() as f64).ceil().max(1.0) as usize;
    samples[rank.min(samples.len()) - 1]
}

pub fn ms(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1000.0)
}

/// One line: what, the figure, the baseline, and the ratio figure/baseline.
pub fn line(what: &str, figure: &str, baseline_what: &str, baseline: &str, ratio: f64) {
    println!("| {what} | {figure} | {baseline_what}: {baseline} | {ratio:.2}× |");
}

pub fn header(title: &str) {
    println!("\n### {title}\n");
    println!("| measurement | median | baseline (same run) | ratio |");
    println!("|---|---|---|---|");
}
