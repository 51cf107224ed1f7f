//! Every saved fuzz input, replayed on stable through the function the
//! fuzzer calls: the minimised corpus (`fuzz/corpus/<target>/`, which must
//! not be empty) and every input that once broke a target
//! (`fuzz/regressions/<target>/`, named after what broke). A custom main
//! rather than libtest, so `cargo test` always shows how many inputs each
//! target replayed, and a failure names the file.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use portolan_fuzz::{TARGETS, Target};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// The files of `dir`, sorted; none when it does not exist.
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.file_name().is_none_or(|n| n != ".gitkeep"))
        .collect();
    files.sort();
    files
}

/// Replay one target; the failures, each with the file that caused it.
fn replay(target: &Target) -> Vec<String> {
    let corpus = inputs(&fuzz_dir().join("corpus").join(target.name));
    let regressions = inputs(&fuzz_dir().join("regressions").join(target.name));
    let mut failures = Vec::new();
    if corpus.is_empty() {
        failures.push(format!(
            "{}: fuzz/corpus/{}/ is empty or missing",
            target.name, target.name
        ));
    }
    for path in corpus.iter().chain(&regressions) {
        let data = match std::fs::read(path) {
            Ok(data) => data,
            Err(e) => {
                failures.push(format!("{}: {}", path.display(), e));
                continue;
            }
        };
        if catch_unwind(AssertUnwindSafe(|| (target.run)(&data))).is_err() {
            failures.push(format!("{}: {} panicked", path.display(), target.name));
        }
    }
    println!(
        "replay {:<13} {:>5} corpus + {:>3} regression inputs",
        target.name,
        corpus.len(),
        regressions.len()
    );
    failures
}

fn main() -> ExitCode {
    // `cargo test -- --list` and filters come from libtest; this binary
    // has one test and runs it whatever it is asked.
    if std::env::args().any(|a| a == "--list") {
        println!("replay: test");
        return ExitCode::SUCCESS;
    }
    let failures: Vec<String> = TARGETS.iter().flat_map(replay).collect();
    if failures.is_empty() {
        println!("replay: every saved fuzz input passed");
        ExitCode::SUCCESS
    } else {
        for failure in &failures {
            eprintln!("FAILED {failure}");
        }
        ExitCode::FAILURE
    }
}
