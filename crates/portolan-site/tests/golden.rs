//! Golden-site tests: each `tests/fixtures/<case>/catalog/` is built and
//! every output file is compared with `tests/fixtures/<case>/expected/`.
//!
//! After an intended change to the output, regenerate with
//! `PORTOLAN_UPDATE_GOLDEN=1 cargo test -p portolan-site --test golden`
//! and review the diff of `expected/` in git like any other change. The
//! theme's assets are compared with the theme itself, not kept there.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use portolan_check::{CheckOptions, check};
use portolan_core::config::{CONFIG_FILE, Config};
use portolan_core::source::{DirSource, ReadError, Source};
use portolan_site::{BuildOptions, render};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Build a case's catalog the way `portolan build` does, with the
/// configuration's title and base URL and an audience from `audience.txt`.
fn build(case: &Path) -> BTreeMap<String, Vec<u8>> {
    let source = DirSource::new(case.join("catalog")).unwrap();
    let config = match source.read(CONFIG_FILE, 1 << 20) {
        Ok(bytes) => Config::parse(CONFIG_FILE, &String::from_utf8(bytes).unwrap()).unwrap(),
        Err(ReadError::NotFound) => Config::default(),
        Err(err) => panic!("{err}"),
    };
    let mut checked = check(&source, &config, &[], &CheckOptions::from_config(&config)).unwrap();
    if let Ok(audience) = std::fs::read_to_string(case.join("audience.txt")) {
        checked = portolan_site::audience::restrict_to_audience(checked, audience.trim());
    }
    let mut options = BuildOptions::new("golden");
    if let Some(title) = &config.site.title {
        options.title = title.clone();
    }
    if let Some(base) = &config.site.base_url {
        options.base_url = base.clone();
    }
    // A catalog with scorecards is scored as `build` scores it, on a fixed
    // day and without git (git facts are unknown).
    if case.join("catalog/scorecards").is_dir() {
        let scored = portolan_scorecard::score(
            &source,
            &checked,
            &config,
            &[],
            &portolan_scorecard::ScoreOptions {
                today: portolan_scorecard::Day::parse("2025-06-01").unwrap(),
                git: None,
                max_git_commits: 0,
                all_facts: true,
                reasons: true,
            },
        );
        assert!(
            scored.loaded.diagnostics.is_empty(),
            "{:?}",
            scored.loaded.diagnostics
        );
        options.scorecards = Some(std::sync::Arc::new(
            portolan_site::scorecards::SiteScorecards::from_scored(&scored),
        ));
    }
    let mut files = render(&checked, &options).unwrap().files;
    // The theme's assets are copied as they are (checked here against the
    // theme's files) or generated from a syntax theme: not part of what a
    // catalog's content decides, so not kept in `expected/`.
    let theme = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../themes/default");
    for (path, _) in portolan_site::pages::ASSETS {
        assert_eq!(
            files.get(*path).map(|b| b.to_vec()),
            Some(std::fs::read(theme.join(path)).unwrap()),
            "{path} is the theme's"
        );
    }
    files.retain(|path, _| !path.starts_with("assets/"));
    files.into_iter().map(|(p, b)| (p, b.to_vec())).collect()
}

fn read_tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                files.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// The first differing line of two texts, with a little context.
fn first_difference(expected: &[u8], actual: &[u8]) -> String {
    let expected = String::from_utf8_lossy(expected);
    let actual = String::from_utf8_lossy(actual);
    for (n, (e, a)) in expected.lines().zip(actual.lines()).enumerate() {
        if e != a {
            return format!("line {}:\n  expected: {e}\n  actual:   {a}", n + 1);
        }
    }
    format!(
        "one is a prefix of the other ({} vs {} lines)",
        expected.lines().count(),
        actual.lines().count()
    )
}

#[test]
fn built_sites_match_their_expected_files() {
    let update = std::env::var_os("PORTOLAN_UPDATE_GOLDEN").is_some();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("catalog").is_dir() && (update || p.join("expected").is_dir()))
        .collect();
    cases.sort();
    assert!(
        !cases.is_empty(),
        "no golden cases under {}",
        fixtures().display()
    );
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let actual = build(case);
        let expected_dir = case.join("expected");
        if update {
            let _ = std::fs::remove_dir_all(&expected_dir);
            for (path, bytes) in &actual {
                let target = expected_dir.join(path);
                std::fs::create_dir_all(target.parent().unwrap()).unwrap();
                std::fs::write(target, bytes).unwrap();
            }
            eprintln!("{name}: wrote {} files", actual.len());
            continue;
        }
        let expected = read_tree(&expected_dir);
        for path in expected.keys().filter(|p| !actual.contains_key(*p)) {
            failures.push(format!("{name}: {path} is no longer written"));
        }
        for (path, bytes) in &actual {
            match expected.get(path) {
                None => failures.push(format!("{name}: {path} is new")),
                Some(want) if want != bytes => failures.push(format!(
                    "{name}: {path} differs at {}",
                    first_difference(want, bytes)
                )),
                Some(_) => {}
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} differences (if intended, regenerate with PORTOLAN_UPDATE_GOLDEN=1 and review the diff):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
