//! The list's opaque `next_paging_token`: the position after which the next page starts.
//! Only this project's server writes and reads it; clients pass it back untouched.

const PREFIX: &str = "p1.";

pub fn encode(after_seq: i64) -> String {
    format!("{PREFIX}{after_seq:x}")
}

pub fn parse(token: &str) -> Option<i64> {
    let hex = token.strip_prefix(PREFIX)?;
    if hex.is_empty() || hex.len() > 15 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    i64::from_str_radix(hex, 16).ok().filter(|seq| *seq >= 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_anything_else() {
        assert_eq!(parse(&encode(12345)), Some(12345));
        for bad in [
            "",
            "p1.",
            "p1.-5",
            "p1.zz",
            "12",
            "p1.ffffffffffffffff",
            "p1.+5",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
