//! Writing a site while it is rendered. A build of 100,000 entities makes
//! over a gigabyte of pages; held in memory until the end, they were most
//! of the build's peak. With a [`Spill`], the render hands its files over
//! in batches, which go straight into the [`Staging`] directory; what the
//! checks after the render need is kept instead: each page's links and
//! anchors (the link check), and the problems of pages an overridden
//! template made (the theme guard). The staging directory replaces the
//! output only once both checks pass, as with a site written from memory.

use std::sync::Mutex;

use rayon::prelude::*;

use crate::links::{PageScan, Scans, scan_page};
use crate::output::{Staging, WriteError};
use crate::pages::ThemeOverrides;
use crate::theme_guard::{self, PageProblem, ThemeFinding};

/// Where a streaming render writes its files.
pub struct Spill<'a> {
    staging: &'a Staging,
    base: String,
    /// The theme's scripts, when a template is overridden: pages are then
    /// checked for script as they are written.
    guard: Option<Vec<String>>,
    state: Mutex<State>,
    /// Called with the number of files written so far, after each batch.
    on_written: &'a (dyn Fn(usize) + Sync),
}

#[derive(Default)]
struct State {
    scans: Scans,
    problems: Vec<(String, Vec<PageProblem>)>,
}

impl<'a> Spill<'a> {
    pub fn new(
        staging: &'a Staging,
        base: &str,
        theme: &ThemeOverrides,
        on_written: &'a (dyn Fn(usize) + Sync),
    ) -> Self {
        Spill {
            staging,
            on_written,
            base: base.to_string(),
            guard: theme_guard::overrides_templates(theme).then(|| theme_guard::page_scripts(base)),
            state: Mutex::new(State::default()),
        }
    }

    /// Write a batch of files, scanning its pages on the way.
    pub(crate) fn write<B: AsRef<[u8]> + Sync>(
        &self,
        files: &[(String, B)],
    ) -> Result<(), WriteError> {
        let scanned: Vec<(Option<PageScan>, Vec<PageProblem>)> = files
            .par_iter()
            .map(|(path, bytes)| {
                let bytes = bytes.as_ref();
                let problems = match &self.guard {
                    Some(scripts) => theme_guard::problems_of_page(path, bytes, scripts),
                    None => Vec::new(),
                };
                (scan_page(path, bytes, &self.base), problems)
            })
            .collect();
        self.staging.write_all(
            files
                .iter()
                .map(|(path, bytes)| (path.as_str(), bytes.as_ref()))
                .collect(),
        )?;
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        for ((path, _), (scan, problems)) in files.iter().zip(scanned) {
            state.scans.add(path, scan);
            if !problems.is_empty() {
                state.problems.push((path.clone(), problems));
            }
        }
        (self.on_written)(state.scans.files().len());
        Ok(())
    }

    /// Write one file (not a page) as `write` produces it: see
    /// [`Staging::write_streamed`].
    pub(crate) fn write_streamed(
        &self,
        path: &str,
        write: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<(), WriteError> {
        self.staging.write_streamed(path, write)?;
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.scans.add(path, None);
        (self.on_written)(state.scans.files().len());
        Ok(())
    }

    /// Every file written so far, in path order.
    pub fn files(&self) -> Vec<String> {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.scans.files().iter().cloned().collect()
    }

    /// The internal links of the written site that lead nowhere, as
    /// [`crate::links::broken_links`] finds them in a site in memory.
    pub fn broken_links(&self) -> Vec<(String, String)> {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.scans.broken_links(&self.base)
    }

    /// The theme guard's findings over every page written.
    pub(crate) fn theme_findings(&self, theme: &ThemeOverrides) -> Vec<ThemeFinding> {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        theme_guard::findings_of(state.problems.clone(), &self.base, theme)
    }
}
