//! Time windows and what follows from them: the length of a window, the
//! error budget an objective leaves in it, and the error rate at which a
//! burn-rate alert fires.

/// Minutes in one unit of a window (`m h d w M Q Y`, and `s` for the
/// short windows of time slices and alert lookbacks). Calendar units count
/// 30, 90 and 365 days: a budget over "one month" is shown for 30 days.
fn unit_minutes(unit: char) -> Option<f64> {
    Some(match unit {
        's' => 1.0 / 60.0,
        'm' => 1.0,
        'h' => 60.0,
        'd' => 1_440.0,
        'w' => 10_080.0,
        'M' => 43_200.0,
        'Q' => 129_600.0,
        'Y' => 525_600.0,
        _ => return None,
    })
}

/// An OpenSLO v1 duration (`28d`, `1h`, `4w`): a positive whole count and
/// one unit letter. `None` for anything else.
pub fn parse_duration(text: &str) -> Option<f64> {
    let unit = text.chars().last()?;
    let count = &text[..text.len() - unit.len_utf8()];
    if count.is_empty() || count.starts_with('0') || !count.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let count: u32 = count.parse().ok()?;
    Some(f64::from(count) * unit_minutes(unit)?)
}

/// An OpenSLO v1alpha window (`unit: Day`, `count: 28`) as minutes.
pub fn alpha_window(unit: &str, count: i64) -> Option<f64> {
    let letter = match unit {
        "Second" => 's',
        "Minute" => 'm',
        "Hour" => 'h',
        "Day" => 'd',
        "Week" => 'w',
        "Month" => 'M',
        "Quarter" => 'Q',
        "Year" => 'Y',
        _ => return None,
    };
    if count <= 0 || count > i64::from(u32::MAX) {
        return None;
    }
    Some(count as f64 * unit_minutes(letter)?)
}

/// The error budget, in minutes, of an objective (a percentage) over a
/// window: 99.9% of 30 days leaves 43.2 minutes.
pub fn budget_minutes(objective_percent: f64, window_minutes: f64) -> f64 {
    round(window_minutes * (100.0 - objective_percent) / 100.0)
}

/// The error rate (a percentage of requests or time) at which a burn-rate
/// alert fires: a burn rate of 14.4 on a 99.9% objective fires at 1.44%.
pub fn burn_rate_error_percent(objective_percent: f64, burn_rate: f64) -> f64 {
    round(burn_rate * (100.0 - objective_percent))
}

/// Four significant decimals, so `0.1 * 432` prints as `43.2` and the
/// bytes of a page do not depend on floating-point noise.
pub fn round(value: f64) -> f64 {
    (value * 10_000.0).round() / 10_000.0
}

/// A length in minutes as a person reads it (`43.2 min`, `7 h 12 min`,
/// `2 d 4 h`).
pub fn human_minutes(minutes: f64) -> String {
    if minutes < 60.0 {
        return format!("{} min", round(minutes));
    }
    let whole = minutes.round() as u64;
    let (days, hours, mins) = (whole / 1_440, whole % 1_440 / 60, whole % 60);
    match (days, hours, mins) {
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("28d"), Some(40_320.0));
        assert_eq!(parse_duration("1h"), Some(60.0));
        assert_eq!(parse_duration("4w"), Some(40_320.0));
        assert_eq!(parse_duration("1M"), Some(43_200.0));
        assert_eq!(parse_duration("30s"), Some(0.5));
        for bad in [
            "", "d", "0d", "07d", "1.5d", "-1d", "1x", "1 d", "1dd", "١d",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
        assert_eq!(alpha_window("Day", 28), Some(40_320.0));
        assert_eq!(alpha_window("Fortnight", 1), None);
        assert_eq!(alpha_window("Day", 0), None);
    }

    #[test]
    fn budgets_and_burn_rates() {
        // The figure every SRE book quotes.
        assert_eq!(budget_minutes(99.9, 43_200.0), 43.2);
        assert_eq!(budget_minutes(99.0, 40_320.0), 403.2);
        assert_eq!(budget_minutes(99.99, 43_200.0), 4.32);
        assert_eq!(burn_rate_error_percent(99.9, 14.4), 1.44);
        assert_eq!(burn_rate_error_percent(99.9, 1.0), 0.1);
        assert_eq!(human_minutes(43.2), "43.2 min");
        assert_eq!(human_minutes(432.0), "7 h 12 min");
        assert_eq!(human_minutes(120.0), "2 h");
        assert_eq!(human_minutes(3_120.0), "2 d 4 h");
    }
}
