//! Time functions of the eval language: `relative_time`, `strftime`, `strptime`.
//!
//! Times are epoch seconds (`f64`, sub-second allowed) interpreted in the search's time zone (an
//! IANA name, UTC by default). Splunk's format codes are those of C `strftime` plus a few of its
//! own; they are mapped onto chrono's (which follows C closely):
//! - `%<n>N` (subseconds, `%3N` milliseconds, `%6N` microseconds, `%9N` nanoseconds; `%N` = `%9N`)
//!   and `%<n>Q` (`%Q` = `%3Q`) become chrono's `%3f`/`%6f`/`%9f` (other widths round up to one of
//!   those);
//! - `%+` is Splunk's "`%a %b %e %H:%M:%S %Z %Y`" (chrono's `%+` is ISO 8601);
//! - everything else (`%Y %m %d %H %M %S %s %z %Z %b %B %a %A %j %p %I %e %k %T %F`, ...) is the
//!   same in both. A format chrono cannot read makes the result null.

use chrono::format::{Item, Parsed, StrftimeItems};
use chrono::{
    DateTime, Datelike, Duration, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike,
};
use chrono_tz::Tz;
use std::fmt::Write;

/// Parse an IANA time zone name (`UTC`, `America/New_York`).
pub fn parse_tz(name: &str) -> Option<Tz> {
    name.parse::<Tz>().ok()
}

/// Translate a Splunk time format to a chrono one (see the module doc).
pub fn translate_format(fmt: &str) -> String {
    let mut out = String::with_capacity(fmt.len() + 8);
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut digits = String::new();
        while let Some(d) = chars.peek().copied().filter(|d| d.is_ascii_digit()) {
            digits.push(d);
            chars.next();
        }
        match chars.next() {
            Some(code @ ('N' | 'Q')) => {
                let default = if code == 'N' { 9 } else { 3 };
                let n: u32 = digits.parse().unwrap_or(default);
                let width = if n <= 3 {
                    3
                } else if n <= 6 {
                    6
                } else {
                    9
                };
                let _ = write!(out, "%{width}f");
            }
            Some('+') if digits.is_empty() => out.push_str("%a %b %e %H:%M:%S %Z %Y"),
            Some(other) => {
                out.push('%');
                out.push_str(&digits);
                out.push(other);
            }
            None => out.push_str("%%"),
        }
    }
    out
}

/// Parsed chrono items of a format, or `None` when chrono cannot read it.
pub fn format_items(fmt: &str) -> Option<Vec<Item<'static>>> {
    let items: Vec<Item<'static>> = StrftimeItems::new(&translate_format(fmt))
        .parse_to_owned()
        .ok()?;
    if items.iter().any(|i| matches!(i, Item::Error)) {
        return None;
    }
    Some(items)
}

fn to_datetime(t: f64, tz: &Tz) -> Option<DateTime<Tz>> {
    if !t.is_finite() {
        return None;
    }
    let secs = t.floor();
    let nanos = ((t - secs) * 1e9).round().clamp(0.0, 999_999_999.0) as u32;
    tz.timestamp_opt(secs as i64, nanos).single()
}

fn epoch(dt: &DateTime<Tz>) -> f64 {
    dt.timestamp() as f64 + f64::from(dt.timestamp_subsec_nanos()) / 1e9
}

/// `strftime(t, fmt)` with pre-parsed items.
pub fn strftime(t: f64, items: &[Item<'static>], tz: &Tz) -> Option<String> {
    let dt = to_datetime(t, tz)?;
    let mut s = String::new();
    write!(s, "{}", dt.format_with_items(items.iter())).ok()?;
    Some(s)
}

/// `strptime(s, fmt)` with pre-parsed items: epoch seconds, or `None` when the text does not
/// match. Text after the end of the format is ignored; missing time parts are 0; a time without
/// an offset (`%z`) is in `tz`.
pub fn strptime(s: &str, items: &[Item<'static>], tz: &Tz) -> Option<f64> {
    let mut p = Parsed::new();
    if let Err(e) = chrono::format::parse(&mut p, s, items.iter()) {
        if e.kind() != chrono::format::ParseErrorKind::TooLong {
            return None;
        }
    }
    if let Some(ts) = p.timestamp {
        return Some(ts as f64 + f64::from(p.nanosecond.unwrap_or(0)) / 1e9);
    }
    let date = p.to_naive_date().ok()?;
    let time = p.to_naive_time().unwrap_or(NaiveTime::MIN);
    let naive = NaiveDateTime::new(date, time);
    let t = match p.offset {
        Some(off) => naive.and_utc().timestamp() as f64 - off as f64,
        None => {
            let dt = tz.from_local_datetime(&naive).earliest()?;
            dt.timestamp() as f64
        }
    };
    Some(t + f64::from(time.nanosecond()) / 1e9)
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Unit {
    Sec,
    Min,
    Hour,
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

fn unit(name: &str) -> Option<Unit> {
    Some(match name.to_ascii_lowercase().as_str() {
        "s" | "sec" | "secs" | "second" | "seconds" => Unit::Sec,
        "m" | "min" | "mins" | "minute" | "minutes" => Unit::Min,
        "h" | "hr" | "hrs" | "hour" | "hours" => Unit::Hour,
        "d" | "day" | "days" => Unit::Day,
        "w" | "week" | "weeks" => Unit::Week,
        "mon" | "month" | "months" => Unit::Month,
        "q" | "qtr" | "qtrs" | "quarter" | "quarters" => Unit::Quarter,
        "y" | "yr" | "yrs" | "year" | "years" => Unit::Year,
        _ => return None,
    })
}

fn local(dt: &DateTime<Tz>) -> NaiveDateTime {
    dt.naive_local()
}

fn from_local(n: NaiveDateTime, tz: &Tz) -> Option<DateTime<Tz>> {
    tz.from_local_datetime(&n).earliest()
}

fn add(dt: DateTime<Tz>, n: i64, u: Unit, tz: &Tz) -> Option<DateTime<Tz>> {
    let secs = |k: i64| dt.checked_add_signed(Duration::try_seconds(n.checked_mul(k)?)?);
    match u {
        Unit::Sec => secs(1),
        Unit::Min => secs(60),
        Unit::Hour => secs(3600),
        Unit::Day | Unit::Week => {
            let days = if u == Unit::Week {
                n.checked_mul(7)?
            } else {
                n
            };
            from_local(
                local(&dt).checked_add_signed(Duration::try_days(days)?)?,
                tz,
            )
        }
        Unit::Month | Unit::Quarter | Unit::Year => {
            let k = match u {
                Unit::Month => 1,
                Unit::Quarter => 3,
                _ => 12,
            };
            let months = n.checked_mul(k)?;
            let m = Months::new(u32::try_from(months.unsigned_abs()).ok()?);
            let l = local(&dt);
            let moved = if months >= 0 {
                l.checked_add_months(m)?
            } else {
                l.checked_sub_months(m)?
            };
            from_local(moved, tz)
        }
    }
}

fn snap(dt: DateTime<Tz>, u: Unit, weekday: Option<u32>, tz: &Tz) -> Option<DateTime<Tz>> {
    let l = local(&dt);
    let d = l.date();
    let midnight = |date: NaiveDate| from_local(date.and_time(NaiveTime::MIN), tz);
    match u {
        Unit::Sec => from_local(l.with_nanosecond(0)?, tz),
        Unit::Min => from_local(l.with_nanosecond(0)?.with_second(0)?, tz),
        Unit::Hour => from_local(l.with_nanosecond(0)?.with_second(0)?.with_minute(0)?, tz),
        Unit::Day => midnight(d),
        Unit::Week => {
            let want = weekday.unwrap_or(0);
            let have = d.weekday().num_days_from_sunday();
            let back = (have + 7 - want) % 7;
            midnight(d.checked_sub_signed(Duration::try_days(i64::from(back))?)?)
        }
        Unit::Month => midnight(d.with_day(1)?),
        Unit::Quarter => {
            let m0 = (d.month0() / 3) * 3;
            midnight(NaiveDate::from_ymd_opt(d.year(), m0 + 1, 1)?)
        }
        Unit::Year => midnight(NaiveDate::from_ymd_opt(d.year(), 1, 1)?),
    }
}

/// `relative_time(t, spec)`: apply Splunk's relative time modifier — offsets (`-24h`, `+1mon`,
/// `-7d`) and snaps (`@d`, `@w0`..`@w6`, `@mon`, `@q`, `@y`), in any sequence
/// (`-7d@d`, `@d+3h`); `now` or an empty spec is `t` itself. Days and longer move in local
/// calendar time. `None` for a spec Splunk would reject.
pub fn relative_time(t: f64, spec: &str, tz: &Tz) -> Option<f64> {
    let spec = spec.trim();
    if spec.is_empty() || spec.eq_ignore_ascii_case("now") {
        return Some(t);
    }
    let mut dt = to_datetime(t, tz)?;
    let b = spec.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'@' {
            i += 1;
            let start = i;
            while i < b.len() && b[i].is_ascii_alphabetic() {
                i += 1;
            }
            let u = unit(&spec[start..i])?;
            let dstart = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let weekday = if dstart < i {
                if u != Unit::Week {
                    return None;
                }
                let w: u32 = spec[dstart..i].parse().ok()?;
                if w > 7 {
                    return None;
                }
                Some(w % 7)
            } else {
                None
            };
            dt = snap(dt, u, weekday, tz)?;
        } else {
            let mut sign = 1i64;
            if b[i] == b'+' || b[i] == b'-' {
                if b[i] == b'-' {
                    sign = -1;
                }
                i += 1;
            }
            let nstart = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let n: i64 = if nstart == i {
                1
            } else {
                spec[nstart..i].parse().ok()?
            };
            let ustart = i;
            while i < b.len() && b[i].is_ascii_alphabetic() {
                i += 1;
            }
            let u = unit(&spec[ustart..i])?;
            dt = add(dt, sign * n, u, tz)?;
        }
    }
    Some(epoch(&dt))
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: f64 = 1_700_000_123.5; // 2023-11-14T22:15:23.5Z, a Tuesday

    #[test]
    fn relative_time_offsets_and_snaps() {
        let utc = chrono_tz::UTC;
        assert_eq!(relative_time(T, "-70m@m", &utc), Some(1_699_995_900.0)); // 21:05:00
        assert_eq!(relative_time(T, "-7d@d", &utc), Some(1_699_315_200.0)); // 11-07 00:00
        assert_eq!(relative_time(T, "@w0", &utc), Some(1_699_747_200.0)); // Sun 11-12
        assert_eq!(relative_time(T, "@w1", &utc), Some(1_699_833_600.0)); // Mon 11-13
        assert_eq!(relative_time(T, "+1mon@mon", &utc), Some(1_701_388_800.0)); // 12-01
        assert_eq!(relative_time(T, "@d+3h", &utc), Some(1_699_930_800.0));
        assert_eq!(relative_time(T, "now", &utc), Some(T));
        assert_eq!(relative_time(T, "-1fortnight", &utc), None);
    }

    #[test]
    fn snap_is_in_the_time_zone() {
        let ny = parse_tz("America/New_York").unwrap();
        // 22:15Z is 17:15 in New York (EST, UTC-5): @d is 05:00Z.
        assert_eq!(relative_time(T, "@d", &ny), Some(1_699_938_000.0));
    }

    #[test]
    fn strftime_and_strptime_round_trip() {
        let utc = chrono_tz::UTC;
        let items = format_items("%Y-%m-%dT%H:%M:%S.%3N %Z").unwrap();
        assert_eq!(
            strftime(T, &items, &utc).as_deref(),
            Some("2023-11-14T22:15:23.500 UTC")
        );
        let items = format_items("%Y-%m-%dT%H:%M:%S").unwrap();
        assert_eq!(
            strptime("2023-11-14T22:15:23.5Z", &items, &utc),
            Some(1_700_000_123.0)
        );
        assert_eq!(strptime("garbage", &items, &utc), None);
        let items = format_items("%d/%m/%Y %z").unwrap();
        assert_eq!(
            strptime("14/11/2023 +0100", &items, &utc),
            Some(1_699_916_400.0)
        );
        let items = format_items("%b %d %Y").unwrap();
        assert_eq!(strptime("Nov 14 2023", &items, &utc), Some(1_699_920_000.0));
        assert!(format_items("%Y %").is_some());
    }
}
