//! portolan-lint: the API design lint. Rules that say whether a valid API
//! definition is also a *good* one (documented, consistent, secure), run
//! over the definition `portolan-apis` already loaded and bundled: no rule
//! parses or bundles again. One walk of the bundled document collects what
//! the rules read (operations, schemas, references, examples), so the pass
//! is linear in the document's size whatever its shape.
//!
//! Every rule is one module under [`rules`], with a stable `L` code
//! registered in [`portolan_core::codes`] (so `portolan check --explain
//! L005` and SARIF know it), a family, the formats it applies to and the
//! lowest preset it is on in. Findings are reported by JSON pointer into
//! the bundled document and mapped back to the file and line:col the node
//! was written at (the original file of a multi-file definition).
//!
//! Which rules run, and how loudly, is [`Settings`]: `[lint]` of
//! portolan.toml (presets, levels by code/name/alias, per-file overrides).

pub mod custom;
pub mod ignore;
pub mod rules;
pub mod ruleset;
mod settings;
pub mod walk;

use portolan_apis::lookup::SpecLookup;
use portolan_apis::{Bundled, SpecFormat, SpecSet};
use portolan_core::Diagnostic;
use portolan_core::codes::Code;
use rayon::prelude::*;

pub use settings::Settings;
use walk::Ctx;

/// What a rule is about; presets and reports group rules by family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    Validity,
    Documentation,
    Responses,
    Style,
    Security,
}

impl Family {
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Validity => "validity",
            Family::Documentation => "documentation",
            Family::Responses => "responses",
            Family::Style => "style",
            Family::Security => "security",
        }
    }
}

/// The lowest preset a rule is on in: `minimal` rules are also in
/// `recommended`, and every rule is in `strict` and `all`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tier {
    Minimal,
    Recommended,
    Strict,
}

/// The formats a rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Formats(u8);

impl Formats {
    pub const OAS2: Formats = Formats(1);
    pub const OAS30: Formats = Formats(2);
    pub const OAS31: Formats = Formats(4);
    pub const ASYNC2: Formats = Formats(8);
    pub const ASYNC3: Formats = Formats(16);
    pub const OPENAPI: Formats = Formats(1 | 2 | 4);
    pub const OAS3: Formats = Formats(2 | 4);
    pub const ASYNCAPI: Formats = Formats(8 | 16);
    pub const ALL: Formats = Formats(31);

    pub const fn or(self, other: Formats) -> Formats {
        Formats(self.0 | other.0)
    }

    pub fn contains(self, format: SpecFormat) -> bool {
        let bit = match format {
            SpecFormat::OpenApi20 => 1,
            SpecFormat::OpenApi30 => 2,
            SpecFormat::OpenApi31 => 4,
            SpecFormat::AsyncApi2 => 8,
            SpecFormat::AsyncApi3 => 16,
        };
        self.0 & bit != 0
    }
}

/// One lint rule.
pub struct Rule {
    /// Its code, name, default severity and `--explain` text.
    pub code: &'static Code,
    pub family: Family,
    pub tier: Tier,
    pub formats: Formats,
    pub check: fn(&Ctx<'_>, &mut Vec<Finding>),
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule")
            .field("code", &self.code.code)
            .field("family", &self.family)
            .field("tier", &self.tier)
            .finish()
    }
}

impl Rule {
    /// Other tools' names for this rule ([`portolan_core::codes::ALIASES`]).
    pub fn aliases(&self) -> impl Iterator<Item = &'static str> + '_ {
        portolan_core::codes::ALIASES
            .iter()
            .filter(|(_, code)| *code == self.code.code)
            .map(|(alias, _)| *alias)
    }
}

/// One finding, by JSON pointer into the bundled document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub code: &'static Code,
    pub pointer: String,
    pub message: String,
    pub help: Option<String>,
}

impl Finding {
    pub fn new(
        code: &'static Code,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            code,
            pointer: pointer.into(),
            message: message.into(),
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Every rule, in code order.
pub fn all_rules() -> &'static [Rule] {
    rules::RULES
}

/// The rule with this code, name or alias.
pub fn find_rule(key: &str) -> Option<&'static Rule> {
    let code = portolan_core::codes::find(key)?;
    rules::RULES.iter().find(|r| r.code.code == code.code)
}

/// Run `rules` (those that apply to `format`) over a bundled document.
/// Findings come in rule order, then document order.
pub fn lint_document<'r>(
    format: SpecFormat,
    doc: &serde_json::Value,
    rules: impl IntoIterator<Item = &'r Rule>,
) -> Vec<Finding> {
    let ctx = Ctx::new(format, doc);
    let rules: Vec<&Rule> = rules
        .into_iter()
        .filter(|rule| rule.formats.contains(format))
        .collect();
    // The rules only read the walk: they run side by side (with the
    // validation, on a large definition), their findings kept in order.
    let mut findings: Vec<Finding> = rules
        .par_iter()
        // Each rule a task of its own, so a thread done with the
        // validation takes the rules left (rayon's adaptive split made a
        // few runs of rules, each run on one thread).
        .with_max_len(1)
        .map(|rule| {
            let mut found = Vec::new();
            (rule.check)(&ctx, &mut found);
            found
        })
        .flatten()
        .collect();
    let mut seen = std::collections::HashSet::new();
    findings.retain(|f| seen.insert((f.code.code, f.pointer.clone(), f.message.clone())));
    findings
}

/// Lint one loaded definition: every rule `settings` turns on for some
/// file, each finding at the file and line:col its node was written at,
/// with the level `settings` gives that rule in that file.
pub fn lint(set: &SpecSet, bundled: &Bundled, settings: &Settings) -> Vec<Diagnostic> {
    let rules = settings.rules_to_run();
    if rules.is_empty() && settings.custom_rules().is_empty() {
        return Vec::new();
    }
    let findings = lint_document(set.format, &bundled.doc, rules.iter().copied());
    let lookup = SpecLookup::new(set);
    // `x-lint-ignore`: looked for only in definitions that mention it.
    let ignores = if set
        .files
        .values()
        .any(|f| f.file.text.contains(ignore::KEY))
    {
        let names: Vec<&str> = settings
            .custom_rules()
            .iter()
            .map(|r| r.name.as_str())
            .collect();
        ignore::Ignores::collect_with(&bundled.doc, &names)
    } else {
        ignore::Ignores::default()
    };
    let mut out = Vec::with_capacity(findings.len());
    for (pointer, message) in &ignores.problems {
        let (file, span) = bundled.locate_in(&lookup, pointer);
        out.push(
            Diagnostic::new(&portolan_core::codes::LINT_IGNORE_UNKNOWN, message.clone())
                .at(file, span),
        );
    }
    // Each finding placed in the file that holds its node, on rayon's
    // threads (a large definition has thousands), in order. A lookup per
    // run of findings: it indexes the mappings it walks through.
    let per_run = findings
        .len()
        .div_ceil(4 * rayon::current_num_threads())
        .max(64);
    let placed: Vec<Option<Diagnostic>> = findings
        .into_par_iter()
        .with_min_len(per_run)
        .map_init(
            || SpecLookup::new(set),
            |lookup, finding| {
                if ignores.ignores(finding.code.code, &finding.pointer) {
                    return None;
                }
                let (file, span) = bundled.locate_in(lookup, &finding.pointer);
                let severity =
                    settings.severity(finding.code, &file, &bundled.origin(&finding.pointer).1)?;
                // Stable across edits that move lines: the rule, the file
                // and the node (what a baseline and SARIF's
                // partialFingerprints track).
                let fingerprint = format!("{} {file}#{}", finding.code.code, finding.pointer);
                let mut d = Diagnostic::new(finding.code, finding.message).at(file, span);
                d.fingerprint = Some(fingerprint);
                d.severity = severity;
                if let Some(help) = finding.help {
                    d = d.with_help(help);
                }
                Some(d)
            },
        )
        .collect();
    out.extend(placed.into_iter().flatten());
    // The ruleset's custom rules (they honour `x-lint-ignore` by name).
    let custom = settings.custom_rules();
    for finding in custom::run(custom, set.format, &bundled.doc) {
        let rule = &custom[finding.rule];
        if ignores.ignores_name(&rule.name, &finding.pointer) {
            continue;
        }
        let (file, span) = bundled.locate_in(&lookup, &finding.pointer);
        let Some(severity) =
            settings.custom_severity(rule, &file, &bundled.origin(&finding.pointer).1)
        else {
            continue;
        };
        let fingerprint = format!("U001:{} {file}#{}", rule.name, finding.pointer);
        let mut d = Diagnostic::new(
            &portolan_core::codes::CUSTOM_RULE,
            format!("{}: {}", rule.name, finding.message),
        )
        .at(file, span);
        d.fingerprint = Some(fingerprint);
        d.severity = severity;
        if let Some(description) = &rule.description {
            d = d.with_help(description.clone());
        }
        out.push(d);
    }
    out
}
