//! Putting a finished staging directory in the output's place in one step,
//! and cleaning up after builds that were killed.
//!
//! On Linux and macOS the swap is one `renameat2(RENAME_EXCHANGE)` /
//! `renamex_np(RENAME_SWAP)`: readers see the old site or the new one and
//! never neither. Where the filesystem cannot exchange, it is two renames;
//! a build killed between them leaves the old site under a temporary name,
//! and the next build puts it back before doing anything else, so the
//! output directory is missing only until then.

use std::io;
use std::path::{Path, PathBuf};

use crate::ownership;

/// The staging directory (and, after an exchange, the old site).
pub const NEW: &str = "new";
/// The old site during the two-rename fallback.
pub const OLD: &str = "old";

/// `.NAME.portolan-new-PID` beside the output directory `NAME`.
pub fn temporary_name(name: &str, which: &str) -> String {
    format!(".{name}.portolan-{which}-{}", std::process::id())
}

/// `(which, pid)` of a temporary directory of the output `name`.
fn parse_temporary<'a>(entry: &'a str, name: &str) -> Option<(&'a str, u32)> {
    let rest = entry.strip_prefix('.')?.strip_prefix(name)?;
    let rest = rest.strip_prefix(".portolan-")?;
    let (which, pid) = rest.split_once('-')?;
    if which != NEW && which != OLD || pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((which, pid.parse().ok()?))
}

/// Whether another running process may still be using a temporary
/// directory it named after its process id.
fn still_running(pid: u32) -> bool {
    if pid == std::process::id() {
        return false;
    }
    #[cfg(unix)]
    {
        match rustix::process::Pid::from_raw(pid as i32) {
            Some(pid) => !matches!(
                rustix::process::test_kill_process(pid),
                Err(rustix::io::Errno::SRCH)
            ),
            None => false,
        }
    }
    #[cfg(not(unix))]
    {
        true
    }
}

/// Before a build writes `out`: put back an old site that a killed build
/// left aside while `out` is missing, and remove temporary directories of
/// dead builds. Only real directories carrying the marker are touched.
pub fn recover_and_clean(parent: &Path, name: &str, out: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let mut stale: Vec<(String, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let file_name = entry.file_name().to_str()?.to_string();
            let (which, pid) = parse_temporary(&file_name, name)?;
            let path = entry.path();
            let is_dir = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_dir());
            if !is_dir || still_running(pid) {
                return None;
            }
            if !ownership::is_marked(&path) {
                // A build killed between creating its staging directory
                // and writing the marker leaves it empty: `remove_dir`
                // removes only an empty directory, so nothing of anyone's
                // can go with it.
                let _ = std::fs::remove_dir(&path);
                return None;
            }
            Some((which.to_string(), path))
        })
        .collect();
    stale.sort();
    for (which, path) in stale {
        if which == OLD
            && std::fs::symlink_metadata(out).is_err()
            && std::fs::rename(&path, out).is_ok()
        {
            continue;
        }
        let _ = crate::output::remove_tree(&path);
    }
}

/// Put `staging` where `out` is. Returns the directory now holding the old
/// site (to delete), when there was one.
pub fn replace(
    staging: &Path,
    out: &Path,
    parent: &Path,
    name: &str,
) -> io::Result<Option<PathBuf>> {
    match std::fs::symlink_metadata(out) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            std::fs::rename(staging, out)?;
            return Ok(None);
        }
        Err(e) => return Err(e),
        Ok(_) => {}
    }
    #[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        match renameat_with(CWD, staging, CWD, out, RenameFlags::EXCHANGE) {
            // The staging path now holds the old site.
            Ok(()) => return Ok(Some(staging.to_path_buf())),
            Err(e)
                if e == rustix::io::Errno::INVAL
                    || e == rustix::io::Errno::NOSYS
                    || e == rustix::io::Errno::NOTSUP
                    || e == rustix::io::Errno::OPNOTSUPP => {}
            Err(e) => return Err(e.into()),
        }
    }
    let old = parent.join(temporary_name(name, OLD));
    std::fs::rename(out, &old)?;
    if let Err(e) = std::fs::rename(staging, out) {
        let _ = std::fs::rename(&old, out);
        return Err(e);
    }
    Ok(Some(old))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_parse_back_and_others_do_not() {
        assert_eq!(
            parse_temporary(".site.portolan-new-42", "site"),
            Some((NEW, 42))
        );
        assert_eq!(
            parse_temporary(".site.portolan-old-7", "site"),
            Some((OLD, 7))
        );
        for other in [
            ".site.portolan-new-",
            ".site.portolan-new-4x",
            ".site.portolan-mid-4",
            ".other.portolan-new-4",
            "site.portolan-new-4",
            ".site.portolan-new-4-5",
        ] {
            assert_eq!(parse_temporary(other, "site"), None, "{other}");
        }
    }
}
