//! The `portolan` binary: parses the command line, runs a command, maps the
//! outcome to an exit status. Only this crate knows clap and the terminal.

mod build;
mod check;
mod cli;
mod diff;
mod pipeline;
mod progress;
mod scorecard;
mod search;
mod serve;
mod workspace;

use std::io::IsTerminal;

/// mimalloc: a build of a large catalog and every rebuild in `serve` make
/// and free millions of small strings and trees; with glibc's allocator a
/// fifth of a rebuild went to consolidating freed chunks.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;

use cli::{Cli, ColorChoice, Command};

/// The version and the commit built from (`0.1.0 (3f2a9c1d0b7e)`; see
/// build.rs): `--version`, `catalog.json`'s generator, the site's footer,
/// SARIF's driver.
pub const VERSION: &str = env!("PORTOLAN_VERSION");

/// 0 clean, 1 findings at or above `--fail-on`, 2 usage or fatal error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    Clean = 0,
    Findings = 1,
    Usage = 2,
}

fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

fn main() -> std::process::ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            // clap exits 0 for --help/--version and 2 for usage errors.
            return std::process::ExitCode::from(if err.use_stderr() { 2 } else { 0 });
        }
    };
    // libgit2 hashes every object it reads to check it against its id,
    // with collision-detecting SHA-1: a tenth of the instructions of a
    // cold API changelog, which reads fifty revisions of a 4 MB definition
    // (BENCHMARKS.md). git itself does not check objects on read (`git
    // fsck` does); what is read is parsed under the same limits either way.
    git2::opts::strict_hash_verification(false);
    if let Err(message) = scorecard::source_date_epoch() {
        eprintln!("error: {message}");
        return std::process::ExitCode::from(ExitCode::Usage as u8);
    }
    let color = use_color(cli.global.color);
    let result = match &cli.command {
        Command::Check(args) => check::run(&cli.global, args, color),
        Command::Build(args) => build::run(&cli.global, args, color),
        Command::Search(args) => search::run(&cli.global, args, color),
        Command::Serve(args) => serve::run(&cli.global, args, color),
        Command::Diff(args) => diff::run(&cli.global, args, color),
        Command::Scorecard(args) => scorecard::run(&cli.global, args, color),
    };
    match result {
        Ok(code) => std::process::ExitCode::from(code as u8),
        Err(err) => {
            // Errors can quote a repository's text (a path from its
            // portolan.toml, a revision name): one line each, escaped.
            let line = |text: String| portolan_core::printable::escape(&text).into_owned();
            eprintln!("error: {}", line(err.to_string()));
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {}", line(cause.to_string()));
            }
            std::process::ExitCode::from(ExitCode::Usage as u8)
        }
    }
}
