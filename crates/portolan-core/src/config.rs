//! `portolan.toml`: every key optional, every default sensible.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::diagnostic::Severity;

pub const CONFIG_FILE: &str = "portolan.toml";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub site: SiteConfig,
    #[serde(default)]
    pub discovery: DiscoveryConfig,
    /// Severity overrides by diagnostic code or name.
    #[serde(default)]
    pub rules: BTreeMap<String, RuleSetting>,
    #[serde(default)]
    pub policies: Vec<PolicyConfig>,
    #[serde(default)]
    pub limits: LimitsConfig,
    /// `portolan diff`: per-API levels and ignores of contract changes.
    #[serde(default)]
    pub diff: DiffConfig,
    /// The API changelogs of the portal (`[changelog]`).
    #[serde(default)]
    pub changelog: ChangelogConfig,
    /// `[[sources]]`: where the repositories that Location target URLs
    /// name are on disk (or, with `--fetch`, where to clone them from).
    #[serde(default)]
    pub sources: Vec<SourceConfig>,
    /// `[scorecards]`: where scorecard files are, and the levels CI
    /// requires (portolan-scorecard).
    #[serde(default)]
    pub scorecards: ScorecardsConfig,
    /// `[lint]`: the API design lint's presets, rule levels and overrides.
    #[serde(default)]
    pub lint: LintConfig,
}

/// `[scorecards]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScorecardsConfig {
    /// The folder (relative to the catalog root) whose `*.yaml`/`*.yml`
    /// files are scorecards, searched recursively.
    #[serde(default = "default_scorecards_dir")]
    pub dir: String,
    /// `[[scorecards.gates]]`: minimum levels `check` enforces.
    #[serde(default)]
    pub gates: Vec<ScorecardGate>,
    /// How many past revisions the portal's trend charts score (0: no
    /// trend); one every `trend_interval_days`, aligned to Mondays.
    #[serde(default = "default_trend_samples")]
    pub trend_samples: usize,
    #[serde(default = "default_trend_interval_days")]
    pub trend_interval_days: u32,
}

impl Default for ScorecardsConfig {
    fn default() -> Self {
        ScorecardsConfig {
            dir: default_scorecards_dir(),
            gates: Vec::new(),
            trend_samples: default_trend_samples(),
            trend_interval_days: default_trend_interval_days(),
        }
    }
}

/// Weekly over the last 26 weeks.
fn default_trend_samples() -> usize {
    26
}

fn default_trend_interval_days() -> u32 {
    7
}

/// `[lint]`: which design-lint rules run over API definitions, and how
/// loudly. Rule keys are a code (`L005`), a name (`operation-operation-id`)
/// or another tool's alias (`operation-operationId`); an unknown key is a
/// configuration error at its line and column.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq, Hash)]
#[serde(deny_unknown_fields)]
pub struct LintConfig {
    /// Presets, applied in order (later ones win); `["recommended"]` when
    /// empty.
    #[serde(default)]
    pub extends: Vec<LintPreset>,
    /// Per-rule levels, over the presets.
    #[serde(default)]
    pub rules: BTreeMap<toml::Spanned<String>, LintLevel>,
    /// Per-file levels: the first entry whose glob matches a finding's
    /// file (relative to the catalog root) and names the rule wins.
    #[serde(default)]
    pub overrides: Vec<LintOverride>,
    /// A baseline file (relative to the catalog root): lint findings it
    /// lists are not reported, so an old definition can adopt the lint
    /// and fail only on new findings. `portolan check --write-baseline`
    /// writes it.
    #[serde(default)]
    pub baseline: Option<String>,
    /// A Spectral ruleset to read (relative to the catalog root). When
    /// unset, `.spectral.yaml`, `.spectral.yml` or `.spectral.json` at the
    /// root is read if there is one.
    #[serde(default)]
    pub ruleset: Option<String>,
}

/// A `[lint]` preset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LintPreset {
    /// Nothing: only `[lint.rules]` turn rules on.
    Off,
    Minimal,
    Recommended,
    Strict,
    Security,
    All,
}

/// One rule's level in `[lint]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LintLevel {
    Error,
    #[serde(alias = "warning")]
    Warn,
    Info,
    Off,
}

impl LintLevel {
    pub fn severity(self) -> Option<Severity> {
        match self {
            LintLevel::Error => Some(Severity::Error),
            LintLevel::Warn => Some(Severity::Warning),
            LintLevel::Info => Some(Severity::Info),
            LintLevel::Off => None,
        }
    }
}

fn default_scorecards_dir() -> String {
    "scorecards".to_string()
}

/// One `[[scorecards.gates]]` entry: the entities `match` selects (and the
/// scorecard applies to) must reach `level` of `scorecard`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScorecardGate {
    /// The scorecard's id (its file name without extension) or its name.
    pub scorecard: String,
    /// One of the scorecard's levels.
    pub level: String,
    #[serde(default, rename = "match")]
    pub selector: PolicySelector,
    /// How a gate failure is reported (default: error).
    #[serde(default = "default_policy_severity")]
    pub severity: Severity,
}

/// A lint override's file pattern split into its glob and, after `#`, the
/// JSON pointer (percent-decoded: Spectral writes `~1` as is and may
/// percent-encode the rest) of the node it narrows to.
pub fn split_override_target(target: &str) -> (&str, Option<String>) {
    match target.split_once('#') {
        Some((glob, pointer)) => (glob, Some(percent_decode_pointer(pointer))),
        None => (target, None),
    }
}

fn percent_decode_pointer(text: &str) -> String {
    if !text.contains('%') {
        return text.to_string();
    }
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// One `[[lint.overrides]]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LintOverride {
    /// Globs of files (relative to the catalog root, `**` for any depth),
    /// each perhaps followed by `#` and a JSON pointer into the file
    /// (`apis/orders.yaml#/paths/~1legacy`): then only findings at or
    /// under that node.
    pub files: Vec<toml::Spanned<String>>,
    pub rules: BTreeMap<toml::Spanned<String>, LintLevel>,
}

/// One `[[sources]]` entry: Location targets whose URL starts with `url`
/// are read from the repository `path` names, at the ref the URL names.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// A URL prefix: `https://github.com/acme/`, or one repository's
    /// `https://github.com/acme/payments`.
    pub url: String,
    /// Where each repository is on disk, a work tree or a bare repository;
    /// `{host}`, `{owner}` and `{repo}` are replaced. Relative to the
    /// catalog root. Unset: the fetch cache (`--fetch`).
    #[serde(default)]
    pub path: Option<String>,
    /// The ref read for URLs that name none (`https://host/owner/repo/path`);
    /// unset: the repository's HEAD.
    #[serde(default, rename = "ref")]
    pub reference: Option<String>,
    /// What `--fetch` clones from, with the same placeholders; unset:
    /// `https://{host}/{owner}/{repo}.git`.
    #[serde(default)]
    pub clone: Option<String>,
}

/// `[diff]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiffConfig {
    /// `[[diff.rules]]`: the first entry that matches a change sets its
    /// level (after `[rules]`, which applies to every API).
    #[serde(default)]
    pub rules: Vec<DiffRule>,
}

/// One `[[diff.rules]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiffRule {
    /// A `C` code or its name.
    pub code: String,
    /// An API entity ref (`payments`, `api:shop/payments`); every API when
    /// missing.
    pub api: Option<String>,
    /// An operation as changes name it (`GET /payments/{id}`); every
    /// operation when missing.
    pub operation: Option<String>,
    pub level: DiffLevel,
    /// Why: shown when the entry applies, required so a review can judge it.
    pub reason: String,
    /// `YYYY-MM-DD`: from the day after, the entry no longer applies.
    pub expires: Option<String>,
}

/// A contract change's level, as `[[diff.rules]]` writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DiffLevel {
    Breaking,
    Warning,
    Info,
    /// Not reported.
    Off,
}

impl DiffLevel {
    pub fn severity(self) -> Option<Severity> {
        match self {
            DiffLevel::Breaking => Some(Severity::Error),
            DiffLevel::Warning => Some(Severity::Warning),
            DiffLevel::Info => Some(Severity::Info),
            DiffLevel::Off => None,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    pub title: Option<String>,
    pub base_url: Option<String>,
    pub out_dir: Option<String>,
    pub theme_dir: Option<String>,
    /// URL prefix for "edit" links, e.g. `https://github.com/acme/catalog/edit/main/`.
    pub edit_url: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscoveryConfig {
    /// Globs of descriptor files, relative to the root.
    #[serde(default = "default_include")]
    pub include: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
}

impl Default for DiscoveryConfig {
    fn default() -> Self {
        DiscoveryConfig {
            include: default_include(),
            exclude: Vec::new(),
        }
    }
}

fn default_include() -> Vec<String> {
    vec!["**/catalog-info.yaml".into(), "**/catalog-info.yml".into()]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleSetting {
    Error,
    Warning,
    Info,
    Off,
}

impl RuleSetting {
    pub fn severity(self) -> Option<Severity> {
        match self {
            RuleSetting::Error => Some(Severity::Error),
            RuleSetting::Warning => Some(Severity::Warning),
            RuleSetting::Info => Some(Severity::Info),
            RuleSetting::Off => None,
        }
    }
}

/// A user policy: a JSON Schema applied to the entities a selector matches.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyConfig {
    /// The diagnostic code findings of this policy carry, e.g.
    /// `acme/production-needs-runbook`.
    pub code: String,
    #[serde(default = "default_policy_severity")]
    pub severity: Severity,
    /// What the policy requires, shown with every finding.
    pub message: String,
    /// Path of the JSON Schema, relative to portolan.toml.
    pub schema: String,
    #[serde(default, rename = "match")]
    pub selector: PolicySelector,
}

fn default_policy_severity() -> Severity {
    Severity::Error
}

/// Which entities a policy applies to; every field given must match
/// (case-insensitively).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySelector {
    pub kind: Option<String>,
    #[serde(rename = "type")]
    pub spec_type: Option<String>,
    pub lifecycle: Option<String>,
    pub tag: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    /// Largest file read, in bytes (at most [`MAX_FILE_SIZE_CEILING`]).
    #[serde(
        default = "default_max_file_size",
        deserialize_with = "file_size_within_ceiling"
    )]
    pub max_file_size: u64,
    /// Most bytes of text YAML aliases may add to one document (at most
    /// [`MAX_EXPANDED_SIZE_CEILING`]).
    #[serde(
        default = "default_max_expanded_size",
        deserialize_with = "expanded_size_within_ceiling"
    )]
    pub max_expanded_size: u64,
    /// Deepest nesting of sequences and mappings read; may be lowered, not
    /// raised above the default, which is what later stages are tested to
    /// recurse through safely.
    #[serde(
        default = "default_max_depth",
        deserialize_with = "depth_within_ceiling"
    )]
    pub max_depth: usize,
    /// Most documents read from one YAML file (at most
    /// [`MAX_DOCUMENTS_CEILING`]).
    #[serde(
        default = "default_max_documents",
        deserialize_with = "documents_within_ceiling"
    )]
    pub max_documents_per_file: usize,
    /// Longest chain of `$ref`s followed in an API definition (at most
    /// [`MAX_REFERENCE_DEPTH_CEILING`]).
    #[serde(
        default = "default_max_reference_depth",
        deserialize_with = "reference_depth_within_ceiling"
    )]
    pub max_reference_depth: usize,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            max_file_size: default_max_file_size(),
            max_expanded_size: default_max_expanded_size(),
            max_depth: default_max_depth(),
            max_documents_per_file: default_max_documents(),
            max_reference_depth: default_max_reference_depth(),
        }
    }
}

impl LimitsConfig {
    /// The YAML reader's limits these settings give.
    pub fn yaml(&self) -> crate::yaml::YamlLimits {
        crate::yaml::YamlLimits {
            max_depth: self.max_depth,
            max_alias_bytes: usize::try_from(self.max_expanded_size).unwrap_or(usize::MAX),
            max_documents: self.max_documents_per_file,
            ..crate::yaml::YamlLimits::default()
        }
    }
}

/// The highest `max_file_size` a configuration may set: every file read is
/// held in memory whole, and a repository's portolan.toml is untrusted.
pub const MAX_FILE_SIZE_CEILING: u64 = 1024 * 1024 * 1024;

fn file_size_within_ceiling<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let value = u64::deserialize(d)?;
    if value > MAX_FILE_SIZE_CEILING {
        return Err(serde::de::Error::custom(format!(
            "max_file_size may be at most {MAX_FILE_SIZE_CEILING} (1 GiB)"
        )));
    }
    Ok(value)
}

/// The highest `max_expanded_size` a configuration may set: a repository's
/// portolan.toml is untrusted, and must not be able to make a CI runner
/// spend all its memory on one file.
pub const MAX_EXPANDED_SIZE_CEILING: u64 = 256 * 1024 * 1024;

fn expanded_size_within_ceiling<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let value = u64::deserialize(d)?;
    if value > MAX_EXPANDED_SIZE_CEILING {
        return Err(serde::de::Error::custom(format!(
            "max_expanded_size may be at most {MAX_EXPANDED_SIZE_CEILING} (256 MiB)"
        )));
    }
    Ok(value)
}

fn depth_within_ceiling<'de, D: serde::Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    let value = usize::deserialize(d)?;
    let ceiling = default_max_depth();
    if value == 0 || value > ceiling {
        return Err(serde::de::Error::custom(format!(
            "max_depth must be between 1 and {ceiling}"
        )));
    }
    Ok(value)
}

/// The highest `max_documents_per_file` a configuration may set. Documents
/// cost time and memory in proportion to their size, so the limit guards
/// only against degenerate streams: a 32 MiB file of `---` lines is eight
/// million empty documents.
pub const MAX_DOCUMENTS_CEILING: usize = 1_000_000;

fn documents_within_ceiling<'de, D: serde::Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    let value = usize::deserialize(d)?;
    if value == 0 || value > MAX_DOCUMENTS_CEILING {
        return Err(serde::de::Error::custom(format!(
            "max_documents_per_file must be between 1 and {MAX_DOCUMENTS_CEILING}"
        )));
    }
    Ok(value)
}

fn default_max_documents() -> usize {
    crate::yaml::YamlLimits::default().max_documents
}

/// The highest `max_reference_depth` a configuration may set: resolution
/// walks chains iteratively, but bundling inlines a chain of references
/// with no reusable home by recursion, so its length must stay bounded
/// (tested on a 2 MiB thread stack, a worker thread's default, in a debug
/// build).
pub const MAX_REFERENCE_DEPTH_CEILING: usize = 256;

/// The default longest `$ref` chain: real definitions chain two or three
/// references (an alias of a shared schema); 64 leaves ample room.
pub const DEFAULT_MAX_REFERENCE_DEPTH: usize = 64;

fn reference_depth_within_ceiling<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<usize, D::Error> {
    let value = usize::deserialize(d)?;
    if value == 0 || value > MAX_REFERENCE_DEPTH_CEILING {
        return Err(serde::de::Error::custom(format!(
            "max_reference_depth must be between 1 and {MAX_REFERENCE_DEPTH_CEILING}"
        )));
    }
    Ok(value)
}

fn default_max_reference_depth() -> usize {
    DEFAULT_MAX_REFERENCE_DEPTH
}

fn default_max_expanded_size() -> u64 {
    crate::yaml::YamlLimits::default().max_alias_bytes as u64
}

fn default_max_depth() -> usize {
    crate::yaml::YamlLimits::default().max_depth
}

fn default_max_file_size() -> u64 {
    32 * 1024 * 1024
}

impl Config {
    /// Parse portolan.toml; the error names the file and line:col.
    pub fn parse(path_for_messages: &str, text: &str) -> Result<Config, String> {
        let config: Config =
            toml::from_str(text).map_err(|e| format!("invalid {path_for_messages}: {e}"))?;
        config
            .check_lint(text)
            .map_err(|e| format!("invalid {path_for_messages}: {e}"))?;
        Ok(config)
    }

    /// `[lint]` keys that serde cannot check: rule names (against the
    /// registry of `L` codes and their aliases) and globs.
    fn check_lint(&self, text: &str) -> Result<(), String> {
        let at = |span: std::ops::Range<usize>| {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
            format!("line {line}, column {column}")
        };
        let rule_keys = self
            .lint
            .rules
            .keys()
            .chain(self.lint.overrides.iter().flat_map(|o| o.rules.keys()));
        for key in rule_keys {
            let known = crate::codes::find(key.get_ref()).is_some_and(|c| c.code.starts_with('L'));
            if !known {
                let close = crate::codes::ALL
                    .iter()
                    .filter(|c| c.code.starts_with('L'))
                    .map(|c| c.name)
                    .chain(crate::codes::ALIASES.iter().map(|(a, _)| *a))
                    .map(|n| (strsim_like(n, key.get_ref()), n))
                    .filter(|(d, _)| *d <= 3)
                    .min();
                let hint = close
                    .map(|(_, n)| format!(" (did you mean `{n}`?)"))
                    .unwrap_or_default();
                return Err(format!(
                    "{}: unknown lint rule `{}`{hint}; `portolan check --explain L001` and the codes L001-L0xx list them",
                    at(key.span()),
                    key.get_ref()
                ));
            }
        }
        for glob in self.lint.overrides.iter().flat_map(|o| &o.files) {
            let (pattern, pointer) = split_override_target(glob.get_ref());
            if let Some(pointer) = pointer
                && !(pointer.is_empty() || pointer.starts_with('/'))
            {
                return Err(format!(
                    "{}: `{}` in [[lint.overrides]]: after `#` comes a JSON pointer (`#/paths/~1orders`)",
                    at(glob.span()),
                    glob.get_ref()
                ));
            }
            if let Err(e) = globset::Glob::new(pattern) {
                return Err(format!(
                    "{}: invalid glob `{}` in [[lint.overrides]]: {}",
                    at(glob.span()),
                    glob.get_ref(),
                    e.kind()
                ));
            }
        }
        Ok(())
    }

    /// The severity a code's findings get after `[rules]` overrides; `None`
    /// when the rule is off.
    pub fn severity_for(
        &self,
        code: &str,
        name: Option<&str>,
        default: Severity,
    ) -> Option<Severity> {
        let setting = self.rules.iter().find(|(key, _)| {
            key.eq_ignore_ascii_case(code) || name.is_some_and(|n| key.eq_ignore_ascii_case(n))
        });
        match setting {
            Some((_, setting)) => setting.severity(),
            None => Some(default),
        }
    }
}

/// Edit distance (Levenshtein, by `char`) of two short names, for "did
/// you mean" hints; names are bounded by what a TOML key holds, and only
/// compared with the registry's short names.
fn strsim_like(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().take(128).collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let here = row[j + 1];
            row[j + 1] = if ca.eq_ignore_ascii_case(cb) {
                previous
            } else {
                1 + previous.min(row[j]).min(row[j + 1])
            };
            previous = here;
        }
    }
    row[b.len()]
}

/// `[changelog]`: the "Changes" of each API page, built from git history.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangelogConfig {
    /// Most commits listed per API, newest first; `0` turns changelogs
    /// (and their feeds) off.
    #[serde(default = "default_changelog_commits")]
    pub max_commits: usize,
}

impl Default for ChangelogConfig {
    fn default() -> Self {
        ChangelogConfig {
            max_commits: default_changelog_commits(),
        }
    }
}

fn default_changelog_commits() -> usize {
    50
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_config_has_defaults() {
        let config = Config::parse("portolan.toml", "").unwrap();
        assert_eq!(config.discovery.include.len(), 2);
        assert_eq!(config.limits.max_file_size, 32 * 1024 * 1024);
        assert_eq!(config.limits.max_documents_per_file, 100_000);
        assert_eq!(config.limits.yaml().max_documents, 100_000);
        assert_eq!(config.limits.max_reference_depth, 64);
    }

    #[test]
    fn limits_may_be_lowered_but_not_raised_past_their_ceilings() {
        let config = Config::parse(
            "portolan.toml",
            "[limits]\nmax_depth = 32\nmax_expanded_size = 1024\nmax_documents_per_file = 1000000\nmax_reference_depth = 256\nmax_file_size = 1073741824\n",
        )
        .unwrap();
        assert_eq!(config.limits.yaml().max_depth, 32);
        assert_eq!(config.limits.yaml().max_alias_bytes, 1024);
        assert_eq!(config.limits.yaml().max_documents, 1_000_000);
        assert_eq!(config.limits.max_reference_depth, 256);
        assert_eq!(config.limits.max_file_size, 1 << 30);
        for bad in [
            "max_file_size = 1073741825",
            "max_depth = 100000",
            "max_depth = 0",
            "max_expanded_size = 1099511627776",
            "max_documents_per_file = 1000001",
            "max_documents_per_file = 0",
            "max_reference_depth = 257",
            "max_reference_depth = 0",
        ] {
            let err = Config::parse("portolan.toml", &format!("[limits]\n{bad}\n")).unwrap_err();
            assert!(err.contains("line 2"), "{err}");
        }
    }

    #[test]
    fn unknown_keys_are_reported_with_position() {
        let err = Config::parse("portolan.toml", "[site]\ntitel = 'x'\n").unwrap_err();
        assert!(err.contains("titel"), "{err}");
        assert!(err.contains("line 2"), "{err}");
    }

    #[test]
    fn diff_rules_need_a_code_a_level_and_a_reason() {
        let config = Config::parse(
            "portolan.toml",
            "[[diff.rules]]\ncode = \"C036\"\napi = \"payments\"\nlevel = \"off\"\nreason = \"clients moved\"\nexpires = \"2027-01-31\"\n",
        )
        .unwrap();
        let rule = &config.diff.rules[0];
        assert_eq!(rule.level, DiffLevel::Off);
        assert_eq!(rule.level.severity(), None);
        assert_eq!(rule.expires.as_deref(), Some("2027-01-31"));
        let err = Config::parse(
            "portolan.toml",
            "[[diff.rules]]\ncode = \"C036\"\nlevel = \"off\"\n",
        )
        .unwrap_err();
        assert!(err.contains("reason"), "{err}");
        let err = Config::parse(
            "portolan.toml",
            "[[diff.rules]]\ncode = \"C036\"\nlevel = \"fatal\"\nreason = \"x\"\n",
        )
        .unwrap_err();
        assert!(err.contains("fatal"), "{err}");
    }

    #[test]
    fn rule_overrides_by_code_or_name() {
        let config = Config::parse(
            "portolan.toml",
            "[rules]\nR001 = \"error\"\nunknown-kind = \"off\"\n",
        )
        .unwrap();
        assert_eq!(
            config.severity_for("R001", Some("dangling-reference"), Severity::Warning),
            Some(Severity::Error)
        );
        assert_eq!(
            config.severity_for("E010", Some("unknown-kind"), Severity::Warning),
            None
        );
        assert_eq!(
            config.severity_for("Y001", None, Severity::Error),
            Some(Severity::Error)
        );
    }

    #[test]
    fn sources_map_url_prefixes() {
        let config = Config::parse(
            "portolan.toml",
            "[[sources]]\nurl = \"https://github.com/acme/\"\npath = \"../repos/{repo}\"\n\n[[sources]]\nurl = \"https://gitlab.acme.dev/\"\nref = \"trunk\"\nclone = \"git://127.0.0.1/{owner}/{repo}\"\n",
        )
        .unwrap();
        assert_eq!(config.sources.len(), 2);
        assert_eq!(config.sources[0].path.as_deref(), Some("../repos/{repo}"));
        assert_eq!(config.sources[1].reference.as_deref(), Some("trunk"));
        assert_eq!(config.sources[1].path, None);
        let err = Config::parse("portolan.toml", "[[sources]]\npath = \"x\"\n").unwrap_err();
        assert!(err.contains("url"), "{err}");
    }

    #[test]
    fn scorecards_table() {
        let config = Config::parse("portolan.toml", "").unwrap();
        assert_eq!(config.scorecards.dir, "scorecards");
        assert!(config.scorecards.gates.is_empty());
        let config = Config::parse(
            "portolan.toml",
            "[scorecards]\ndir = \"quality\"\n[[scorecards.gates]]\nscorecard = \"readiness\"\nlevel = \"Bronze\"\nmatch = { lifecycle = \"production\" }\n",
        )
        .unwrap();
        assert_eq!(config.scorecards.dir, "quality");
        let gate = &config.scorecards.gates[0];
        assert_eq!(
            (gate.scorecard.as_str(), gate.level.as_str()),
            ("readiness", "Bronze")
        );
        assert_eq!(gate.selector.lifecycle.as_deref(), Some("production"));
        assert_eq!(gate.severity, Severity::Error);
        assert!(Config::parse("portolan.toml", "[scorecards]\nfolder = \"x\"\n").is_err());
    }

    #[test]
    fn lint_table() {
        let config = Config::parse(
            "portolan.toml",
            "[lint]\nextends = [\"strict\"]\n[lint.rules]\nL001 = \"error\"\noperation-operationId = \"warn\"\ninfo-license = \"off\"\n[[lint.overrides]]\nfiles = [\"apis/legacy/**\"]\nrules = { operation-description = \"off\" }\n",
        )
        .unwrap();
        assert_eq!(config.lint.extends, vec![LintPreset::Strict]);
        let levels: Vec<(&str, LintLevel)> = config
            .lint
            .rules
            .iter()
            .map(|(k, v)| (k.get_ref().as_str(), *v))
            .collect();
        assert_eq!(
            levels,
            vec![
                ("L001", LintLevel::Error),
                ("info-license", LintLevel::Off),
                ("operation-operationId", LintLevel::Warn),
            ]
        );
        assert_eq!(
            config.lint.overrides[0].files[0].get_ref(),
            "apis/legacy/**"
        );
        let err = Config::parse(
            "portolan.toml",
            "[lint]\nextends = [\"recommended\"]\n\n[lint.rules]\nL001 = \"warn\"\n  operaton-description = \"off\"\n",
        )
        .unwrap_err();
        assert!(err.contains("line 6, column 3"), "{err}");
        assert!(err.contains("operaton-description"), "{err}");
        assert!(
            err.contains("did you mean `operation-description`"),
            "{err}"
        );
        // Codes of other stages are not lint rules.
        let err = Config::parse("portolan.toml", "[lint.rules]\nA006 = \"off\"\n").unwrap_err();
        assert!(err.contains("line 2, column 1"), "{err}");
        let err = Config::parse(
            "portolan.toml",
            "[[lint.overrides]]\nfiles = [\"a/[b\"]\nrules = { L001 = \"off\" }\n",
        )
        .unwrap_err();
        assert!(err.contains("line 2, column 10"), "{err}");
        for bad in [
            "[lint]\nextends = [\"loose\"]\n",
            "[lint.rules]\nL001 = \"fatal\"\n",
        ] {
            let err = Config::parse("portolan.toml", bad).unwrap_err();
            assert!(err.contains("line 2"), "{err}");
        }
    }

    #[test]
    fn changelog_table() {
        let config = Config::parse("portolan.toml", "").unwrap();
        assert_eq!(config.changelog.max_commits, 50);
        let config = Config::parse("portolan.toml", "[changelog]\nmax_commits = 0\n").unwrap();
        assert_eq!(config.changelog.max_commits, 0);
        assert!(Config::parse("portolan.toml", "[changelog]\nmax_comits = 5\n").is_err());
    }
}
