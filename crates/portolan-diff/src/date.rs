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
}
