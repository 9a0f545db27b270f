//! Time rendering and parsing in the search's time zone (UTC by default).

use chrono::format::{Item, StrftimeItems};
use chrono::{TimeZone, Utc};
use chrono_tz::Tz;

/// A time zone by IANA name (`UTC`, `Europe/Paris`).
pub fn parse_tz(name: &str) -> Option<Tz> {
    name.parse::<Tz>().ok()
}

/// Splunk's strftime extensions mapped to chrono's (`%3N` milliseconds, `%Q`, `%N`).
pub fn chrono_format(fmt: &str) -> String {
    fmt.replace("%3N", "%3f")
        .replace("%6N", "%6f")
        .replace("%9N", "%9f")
        .replace("%N", "%9f")
        .replace("%Q", "%3f")
}

/// Whether chrono can render a format (an invalid specifier would fail at render time).
pub fn valid_format(fmt: &str) -> bool {
    !StrftimeItems::new(fmt).any(|i| matches!(i, Item::Error))
}

/// Render epoch seconds in a time zone with a (chrono-mapped, validated) format.
pub fn format_epoch(secs: f64, fmt: &str, tz: &Tz) -> Option<String> {
    if !secs.is_finite() {
        return None;
    }
    let whole = secs.floor();
    let nanos = ((secs - whole) * 1e9).round().min(999_999_999.0) as u32;
    let t = Utc.timestamp_opt(whole as i64, nanos).single()?;
    let local = t.with_timezone(tz);
    let mut out = String::new();
    use std::fmt::Write;
    write!(out, "{}", local.format_with_items(StrftimeItems::new(fmt))).ok()?;
    Some(out)
}

/// Parse text in a format to epoch seconds (for `convert mktime`).
pub fn parse_time(text: &str, fmt: &str, tz: &Tz) -> Option<f64> {
    let naive = chrono::NaiveDateTime::parse_from_str(text.trim(), fmt).ok()?;
    let t = tz.from_local_datetime(&naive).earliest()?;
    Some(t.timestamp() as f64 + t.timestamp_subsec_nanos() as f64 / 1e9)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_in_utc_and_other_zones() {
        let utc = parse_tz("UTC").unwrap();
        assert_eq!(
            format_epoch(1_600_000_000.0, "%Y-%m-%dT%H:%M:%S", &utc).unwrap(),
            "2020-09-13T12:26:40"
        );
        assert_eq!(
            format_epoch(1_600_000_000.0, "%m/%d/%Y %H:%M:%S", &utc).unwrap(),
            "09/13/2020 12:26:40"
        );
        let paris = parse_tz("Europe/Paris").unwrap();
        assert_eq!(
            format_epoch(1_600_000_000.0, "%H:%M", &paris).unwrap(),
            "14:26"
        );
        assert_eq!(
            format_epoch(1.5, &chrono_format("%S.%3N"), &utc).unwrap(),
            "01.500"
        );
    }

    #[test]
    fn invalid_formats_are_detected() {
        assert!(!valid_format("%Y-%"));
        assert!(valid_format("%Y-%m-%d"));
    }

    #[test]
    fn parses_back() {
        let utc = parse_tz("UTC").unwrap();
        assert_eq!(
            parse_time("09/13/2020 12:26:40", "%m/%d/%Y %H:%M:%S", &utc),
            Some(1_600_000_000.0)
        );
    }
}
