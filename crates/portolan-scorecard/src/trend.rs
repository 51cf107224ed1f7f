//! Which past revisions a trend scores: the catalog as it was at the
//! start of each of the last N intervals (weeks by default), read from
//! the first-parent history of the revision built. Boundaries are
//! aligned to Mondays 00:00 UTC counted from the HEAD commit's time (never
//! the clock), so the same commits are sampled build after build and a
//! cache of their levels by commit stays valid while HEAD moves on.

use std::path::Path;

/// 1970-01-05, the first Monday after the Unix epoch, in seconds.
const FIRST_MONDAY: i64 = 4 * 86_400;

/// Most commits walked to find the samples.
pub const MAX_COMMITS_WALKED: usize = 100_000;

/// One sampled revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    /// The interval's start (Unix seconds): the time the sample stands for.
    pub time: i64,
    /// The newest first-parent commit at or before `time`.
    pub commit: String,
}

/// The start of the interval holding `time`: `interval_days`-long
/// intervals counted from the first Monday of 1970.
pub fn interval_start(time: i64, interval_days: u32) -> i64 {
    let length = i64::from(interval_days.max(1)) * 86_400;
    FIRST_MONDAY + (time - FIRST_MONDAY).div_euclid(length) * length
}

/// The boundaries of the `count` intervals before the one holding
/// `head_time`, newest first.
pub fn boundaries(head_time: i64, count: usize, interval_days: u32) -> Vec<i64> {
    let length = i64::from(interval_days.max(1)) * 86_400;
    let newest = interval_start(head_time, interval_days);
    // The boundary equal to HEAD's own time is HEAD: start one earlier.
    let newest = if newest == head_time {
        newest - length
    } else {
        newest
    };
    (0..count).map(|k| newest - length * k as i64).collect()
}

/// The revisions at each of `boundaries` (newest first) on the
/// first-parent line of `rev` in the repository holding `root`, oldest
/// first; boundaries older than the first commit have none. `None` when
/// `root` is in no repository or `rev` does not resolve.
pub fn sample_revisions(root: &Path, rev: &str, boundaries: &[i64]) -> Option<Vec<Sample>> {
    let repo = git2::Repository::discover(root).ok()?;
    let head = repo.revparse_single(rev).ok()?.peel_to_commit().ok()?;
    let mut walk = repo.revwalk().ok()?;
    walk.push(head.id()).ok()?;
    walk.simplify_first_parent().ok()?;
    let mut samples = Vec::new();
    let mut next = 0;
    for oid in walk.take(MAX_COMMITS_WALKED) {
        if next == boundaries.len() {
            break;
        }
        let Ok(oid) = oid else { break };
        let Ok(commit) = repo.find_commit(oid) else {
            break;
        };
        let time = commit.time().seconds();
        // This commit is the newest at or before every boundary from
        // here down to its own time.
        while next < boundaries.len() && time <= boundaries[next] {
            samples.push(Sample {
                time: boundaries[next],
                commit: oid.to_string(),
            });
            next += 1;
        }
    }
    samples.reverse();
    Some(samples)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_start_on_mondays() {
        // 2024-06-05 (a Wednesday) 12:00 UTC → Monday 2024-06-03.
        let wednesday = 1_717_588_800;
        assert_eq!(interval_start(wednesday, 7), 1_717_372_800);
        assert_eq!(
            portolan_core::history::format_date(interval_start(wednesday, 7)),
            "2024-06-03"
        );
        // Daily intervals start at midnight.
        assert_eq!(interval_start(wednesday, 1), 1_717_545_600);
        // A zero interval is a day, not a division by zero.
        assert_eq!(interval_start(wednesday, 0), 1_717_545_600);
    }

    #[test]
    fn boundaries_go_back_from_the_week_before_head() {
        let monday = 1_717_372_800;
        let week = 7 * 86_400;
        assert_eq!(
            boundaries(monday + 3600, 3, 7),
            vec![monday, monday - week, monday - 2 * week]
        );
        // HEAD exactly on a boundary: that boundary is HEAD itself.
        assert_eq!(
            boundaries(monday, 2, 7),
            vec![monday - week, monday - 2 * week]
        );
        assert!(boundaries(monday, 0, 7).is_empty());
    }
}
