//! What the release console weighs on the wire: raw and gzip-compressed.

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;

use crate::{Result, paths};

pub fn report() -> Result {
    let dist = paths::dist();
    let entries = std::fs::read_dir(&dist).map_err(|err| {
        format!(
            "cannot read {} (run `cargo xtask build`): {err}",
            dist.display()
        )
    })?;
    let mut files: Vec<_> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| {
            path.extension()
                .is_some_and(|ext| ext == "wasm" || ext == "js" || ext == "css" || ext == "html")
        })
        .collect();
    files.sort();
    println!("Release console size ({}):", dist.display());
    println!("  {:<48} {:>10} {:>10}", "file", "raw", "gzip");
    let (mut raw_total, mut gzip_total) = (0, 0);
    for path in files {
        let bytes =
            std::fs::read(&path).map_err(|err| format!("cannot read {}: {err}", path.display()))?;
        let gzipped = gzip_len(&bytes)?;
        raw_total += bytes.len();
        gzip_total += gzipped;
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        println!("  {name:<48} {:>10} {:>10}", kib(bytes.len()), kib(gzipped));
    }
    println!(
        "  {:<48} {:>10} {:>10}",
        "total",
        kib(raw_total),
        kib(gzip_total)
    );
    Ok(())
}

fn gzip_len(bytes: &[u8]) -> Result<usize> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder
        .write_all(bytes)
        .and_then(|()| encoder.finish())
        .map(|out| out.len())
        .map_err(|err| err.to_string())
}

fn kib(bytes: usize) -> String {
    format!("{:.1} KiB", bytes as f64 / 1024.0)
}
