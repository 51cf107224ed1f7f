//! Calendar dates, for `x-sunset`: the caller says what day it is (a
//! library reads no clock), the definition says when an operation goes.

use std::fmt;

/// A calendar date (proleptic Gregorian, no time zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// `2025-06-30`, an RFC 3339 timestamp starting with one
    /// (`2025-06-30T00:00:00Z`), or an HTTP-date as the Sunset header of
    /// RFC 8594 carries (`Mon, 30 Jun 2025 00:00:00 GMT`).
    pub fn parse(text: &str) -> Option<Date> {
        let text = text.trim();
        Self::parse_iso(text).or_else(|| Self::parse_http(text))
    }

    fn parse_iso(text: &str) -> Option<Date> {
        let head = text.get(..10)?;
        let rest = &text[10..];
        if !(rest.is_empty() || rest.starts_with(['T', 't', ' '])) {
            return None;
        }
        let mut parts = head.split('-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        Self::checked(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    }

    fn parse_http(text: &str) -> Option<Date> {
        // `Mon, 30 Jun 2025 ...`: the weekday is not checked.
        let after_comma = text.split_once(',').map_or(text, |(_, rest)| rest);
        let mut words = after_comma.split_whitespace();
        let day: u8 = words.next()?.parse().ok()?;
        let month = match words.next()?.to_ascii_lowercase().as_str() {
            "jan" => 1,
            "feb" => 2,
            "mar" => 3,
            "apr" => 4,
            "may" => 5,
            "jun" => 6,
            "jul" => 7,
            "aug" => 8,
            "sep" => 9,
            "oct" => 10,
            "nov" => 11,
            "dec" => 12,
            _ => return None,
        };
        let year: u16 = words.next()?.parse().ok()?;
        Self::checked(year, month, day)
    }

    /// The date `days` days after 1970-01-01 (negative: before), in the
    /// proleptic Gregorian calendar; `None` outside years 0–9999.
    pub fn from_unix_days(days: i64) -> Option<Date> {
        // Shift the epoch to 0000-03-01, so that a leap day is the last day
        // of its (March-based) year, and count in 400-year eras of 146,097
        // days.
        let z = days.checked_add(719_468)?;
        let era = z.div_euclid(146_097);
        let day_of_era = z.rem_euclid(146_097);
        let year_of_era =
            (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let month_index = (5 * day_of_year + 2) / 153; // 0 = March
        let day = day_of_year - (153 * month_index + 2) / 5 + 1;
        let month = if month_index < 10 {
            month_index + 3
        } else {
            month_index - 9
        };
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        let year = u16::try_from(year).ok().filter(|y| *y <= 9999)?;
        Self::checked(year, month as u8, day as u8)
    }

    fn checked(year: u16, month: u8, day: u8) -> Option<Date> {
        let leap =
            year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days)
            .contains(&day)
            .then_some(Date { year, month, day })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_iso_and_http_dates() {
        let d = Date {
            year: 2025,
            month: 6,
            day: 30,
        };
        assert_eq!(Date::parse("2025-06-30"), Some(d));
        assert_eq!(Date::parse("2025-06-30T12:00:00Z"), Some(d));
        assert_eq!(Date::parse("Mon, 30 Jun 2025 00:00:00 GMT"), Some(d));
        assert_eq!(Date::parse("2025-02-30"), None);
        assert_eq!(Date::parse("soon"), None);
        assert_eq!(d.to_string(), "2025-06-30");
    }

    #[test]
    fn days_since_the_epoch_become_calendar_dates() {
        let date = |days| Date::from_unix_days(days).map(|d| d.to_string());
        assert_eq!(date(0).as_deref(), Some("1970-01-01"));
        assert_eq!(date(-1).as_deref(), Some("1969-12-31"));
        // 2000 was a leap year (divisible by 400), 1900 was not.
        assert_eq!(date(11_016).as_deref(), Some("2000-02-29"));
        assert_eq!(date(11_017).as_deref(), Some("2000-03-01"));
        assert_eq!(date(-25_508).as_deref(), Some("1900-03-01"));
        assert_eq!(date(-25_509).as_deref(), Some("1900-02-28"));
        assert_eq!(date(20_454).as_deref(), Some("2026-01-01"));
        assert_eq!(date(-719_529), None);
        // Every day of four centuries round-trips through the ISO text.
        for days in -200_000..200_000 {
            let d = Date::from_unix_days(days).unwrap();
            assert_eq!(Date::parse(&d.to_string()), Some(d));
        }
    }
}
