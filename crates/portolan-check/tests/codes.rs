//! One fixture per diagnostic code (`tests/fixtures/codes/<CODE>/`, a small
//! catalog) and a snapshot of what a user sees: the human rendering.
//!
//! A fixture may hold `portolan.toml` (limits, policies) and `named.txt`
//! (files passed as `check FILES...`). Snapshots live in `tests/snapshots/`;
//! review changes with `cargo insta review` or rerun with
//! `INSTA_UPDATE=always`.

use std::path::{Path, PathBuf};

use portolan_check::{CheckOptions, check, policy};
use portolan_core::codes;
use portolan_core::render::render_human;
use portolan_core::source::{DirSource, Source};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/codes")
}

/// Check a fixture catalog and render its findings as a terminal would
/// (without colour).
fn run_fixture(dir: &Path) -> (Vec<portolan_core::Diagnostic>, String) {
    let source = DirSource::new(dir).unwrap();
    let (mut config, policies) = policy::configuration_in(&source).unwrap();
    // The design lint (`L` codes) would add its findings to every fixture
    // with an API definition; each fixture shows its own code, so lint is
    // off unless the fixture's portolan.toml configures it.
    if config.lint == portolan_core::config::LintConfig::default() {
        config.lint.extends = vec![portolan_core::config::LintPreset::Off];
    }
    // `[[sources]]`, as the command line mounts them.
    let source: Box<dyn Source> = if config.sources.is_empty() {
        Box::new(source)
    } else {
        let options = portolan_catalog::SourceOptions {
            root_dir: dir.to_path_buf(),
            cache_dir: dir.join(".portolan/cache"),
            ..Default::default()
        };
        Box::new(
            portolan_catalog::SourceSet::new(Box::new(source), &config.sources, options).unwrap(),
        )
    };
    let source = source.as_ref();
    let mut options = CheckOptions::from_config(&config);
    if let Ok(named) = std::fs::read_to_string(dir.join("named.txt")) {
        options.load.named_files = named.lines().map(str::to_string).collect();
    }
    let checked = check(source, &config, &policies, &options).unwrap();
    let rendered = render_human(&checked.diagnostics, &checked.catalog.files, false);
    (checked.diagnostics, rendered)
}

#[test]
fn every_code_has_a_fixture_that_reports_it() {
    // Build-stage codes (`T`, theme templates) are reported by `portolan
    // build`, not `check`; crates/portolan/tests/cli.rs covers them.
    // Contract changes (`C`) are reported by `portolan diff` between two
    // revisions; crates/portolan-diff/tests/ has a fixture pair for each.
    // Scorecard codes (`S`) are reported by portolan-scorecard, a later
    // stage; crates/portolan-scorecard/tests/scorecards.rs reports each.
    for code in codes::ALL
        .iter()
        .filter(|c| !c.code.starts_with(['T', 'C', 'S']))
    {
        let dir = fixtures().join(code.code);
        assert!(
            dir.is_dir(),
            "no fixture for {} at {}",
            code.code,
            dir.display()
        );
        let (diagnostics, _) = run_fixture(&dir);
        assert!(
            diagnostics.iter().any(|d| d.code == code.code),
            "fixture {} does not report {}; it reports {:?}",
            code.code,
            code.code,
            diagnostics.iter().map(|d| &d.code).collect::<Vec<_>>()
        );
    }
}

#[test]
fn fixture_snapshots() {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let (_, rendered) = run_fixture(&dir);
        insta::assert_snapshot!(name, rendered);
    }
}

/// CI rejects orphaned snapshots: every snapshot belongs to a fixture.
#[test]
fn no_orphaned_snapshots() {
    let snapshots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let Ok(entries) = std::fs::read_dir(&snapshots) else {
        return;
    };
    for entry in entries {
        let file = entry.unwrap().file_name().to_string_lossy().into_owned();
        if let Some(name) = file
            .strip_prefix("codes__")
            .and_then(|f| f.strip_suffix(".snap"))
        {
            assert!(
                fixtures().join(name).is_dir(),
                "snapshot {file} has no fixture; delete it"
            );
        }
    }
}
