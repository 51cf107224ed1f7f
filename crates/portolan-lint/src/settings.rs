//! Which rules run, at which level, for which file: `[lint]` of
//! portolan.toml resolved against the rules' presets.
//!
//! Presets, applied in the order `extends` lists them (later ones win for
//! the rules they name; `recommended` when `extends` is empty):
//!
//! | preset | rules | level |
//! |--------|-------|-------|
//! | `off` | none | |
//! | `minimal` | tier [`Tier::Minimal`] | each code's default |
//! | `recommended` | tiers minimal and recommended, no security family | each code's default |
//! | `strict` | every rule | the default, `info` raised to `warn` |
//! | `security` | the security family | each code's default |
//! | `all` | every rule | each code's default |
//!
//! Then `[lint.rules]` sets single rules, and `[[lint.overrides]]` set
//! rules for the files their globs match (the first matching entry that
//! names the rule wins).

use std::collections::BTreeMap;

use globset::{Glob, GlobMatcher};
use portolan_core::Severity;
use portolan_core::codes::{self, Code};
use portolan_core::config::{LintConfig, LintLevel, LintPreset};

use crate::custom::CustomRule;
use crate::ruleset::Ruleset;
use crate::{Family, Rule, Tier, rules::RULES};

/// `[lint]`, resolved (with the Spectral ruleset, when there is one).
#[derive(Debug, Clone)]
pub struct Settings {
    /// Level of each rule (by code) everywhere; `None`: off.
    levels: BTreeMap<&'static str, Option<Severity>>,
    overrides: Vec<Override>,
    /// The ruleset's custom rules (their own levels inside).
    custom: Vec<CustomRule>,
    /// What the ruleset was (for the fingerprint).
    ruleset_text: String,
}

#[derive(Debug, Clone)]
struct Override {
    /// File globs, each with the JSON pointer (in that file) it narrows
    /// to, if any.
    globs: Vec<(GlobMatcher, Option<String>)>,
    levels: BTreeMap<&'static str, Option<Severity>>,
    /// Custom rules' levels, by name.
    custom: BTreeMap<String, Option<Severity>>,
}

impl Default for Settings {
    /// The `recommended` preset.
    fn default() -> Self {
        Settings::new(&LintConfig::default())
    }
}

/// The level a preset gives `rule`, when the preset includes it.
fn preset_level(preset: LintPreset, rule: &Rule) -> Option<Severity> {
    let default = rule.code.severity;
    match preset {
        LintPreset::Off => None,
        LintPreset::Minimal => (rule.tier == Tier::Minimal).then_some(default),
        LintPreset::Recommended => {
            (rule.tier <= Tier::Recommended && rule.family != Family::Security).then_some(default)
        }
        LintPreset::Strict => Some(default.max(Severity::Warning)),
        LintPreset::Security => (rule.family == Family::Security).then_some(default),
        LintPreset::All => Some(default),
    }
}

/// The code a `[lint.rules]` key names (checked when portolan.toml was
/// read; a key that names none is skipped).
fn code_of(key: &str) -> Option<&'static Code> {
    codes::find(key).filter(|c| c.code.starts_with('L'))
}

fn levels_of<'a>(
    rules: impl IntoIterator<Item = (&'a String, &'a LintLevel)>,
) -> BTreeMap<&'static str, Option<Severity>> {
    rules
        .into_iter()
        .filter_map(|(key, level)| Some((code_of(key)?.code, level.severity())))
        .collect()
}

impl Settings {
    pub fn new(config: &LintConfig) -> Settings {
        Settings::with_ruleset(config, Ruleset::default())
    }

    /// `[lint]` over a Spectral ruleset: the ruleset's `extends` apply
    /// when `[lint] extends` is empty, its rule levels come before
    /// `[lint.rules]`, and its overrides after `[[lint.overrides]]` (the
    /// first override naming a rule wins, so portolan.toml's do).
    pub fn with_ruleset(config: &LintConfig, ruleset: Ruleset) -> Settings {
        let presets: &[LintPreset] = if !config.extends.is_empty() {
            &config.extends
        } else if !ruleset.presets.is_empty() {
            &ruleset.presets
        } else {
            &[LintPreset::Recommended]
        };
        let mut levels: BTreeMap<&'static str, Option<Severity>> =
            RULES.iter().map(|r| (r.code.code, None)).collect();
        for &preset in presets {
            if preset == LintPreset::Off {
                levels.values_mut().for_each(|l| *l = None);
            }
            for rule in RULES {
                if let Some(level) = preset_level(preset, rule) {
                    levels.insert(rule.code.code, Some(level));
                }
            }
        }
        levels.extend(ruleset.levels.iter().copied());
        levels.extend(levels_of(
            config.rules.iter().map(|(k, v)| (k.get_ref(), v)),
        ));
        let mut overrides: Vec<Override> = config
            .overrides
            .iter()
            .map(|o| Override {
                // Globs were checked when portolan.toml was read.
                globs: o.files.iter().filter_map(|g| target(g.get_ref())).collect(),
                levels: levels_of(o.rules.iter().map(|(k, v)| (k.get_ref(), v))),
                custom: BTreeMap::new(),
            })
            .collect();
        for crate::ruleset::RulesetOverride {
            globs,
            levels: rules,
        } in &ruleset.overrides
        {
            let mut levels = BTreeMap::new();
            let mut custom = BTreeMap::new();
            for (key, level) in rules {
                match code_of(key) {
                    Some(code) => {
                        levels.insert(code.code, *level);
                    }
                    None => {
                        custom.insert(key.clone(), *level);
                    }
                }
            }
            overrides.push(Override {
                globs: globs.iter().filter_map(|g| target(g)).collect(),
                levels,
                custom,
            });
        }
        Settings {
            levels,
            overrides,
            custom: ruleset.custom,
            ruleset_text: ruleset.text,
        }
    }

    /// Every rule on, at its default level (tests, benchmarks).
    pub fn all() -> Settings {
        Settings::new(&LintConfig {
            extends: vec![LintPreset::All],
            ..LintConfig::default()
        })
    }

    /// The rules on in at least one file.
    pub fn rules_to_run(&self) -> Vec<&'static Rule> {
        RULES
            .iter()
            .filter(|rule| {
                self.levels.get(rule.code.code).copied().flatten().is_some()
                    || self
                        .overrides
                        .iter()
                        .any(|o| o.levels.get(rule.code.code).copied().flatten().is_some())
            })
            .collect()
    }

    /// The level of `code`'s findings at `pointer` in `file`
    /// (catalog-relative); `None`: off there.
    pub fn severity(&self, code: &Code, file: &str, pointer: &str) -> Option<Severity> {
        let path = file.split('#').next().unwrap_or(file);
        for o in &self.overrides {
            if let Some(level) = o.levels.get(code.code)
                && o.matches(path, pointer)
            {
                return *level;
            }
        }
        self.levels.get(code.code).copied().flatten()
    }

    /// A stable description of these settings, for caches keyed by what
    /// made a result.
    pub fn fingerprint(&self) -> String {
        let overrides: Vec<String> = self
            .overrides
            .iter()
            .map(|o| {
                let globs: Vec<(&str, &Option<String>)> =
                    o.globs.iter().map(|(g, p)| (g.glob().glob(), p)).collect();
                format!("{globs:?}{:?}", o.levels)
            })
            .collect();
        format!("{:?}{overrides:?}{}", self.levels, self.ruleset_text)
    }

    /// The ruleset's custom rules that are on in at least one file.
    pub fn custom_rules(&self) -> &[CustomRule] {
        &self.custom
    }

    /// The level of custom rule `rule`'s findings at `pointer` in `file`.
    pub fn custom_severity(
        &self,
        rule: &CustomRule,
        file: &str,
        pointer: &str,
    ) -> Option<Severity> {
        let path = file.split('#').next().unwrap_or(file);
        for o in &self.overrides {
            if let Some(level) = o.custom.get(&rule.name)
                && o.matches(path, pointer)
            {
                return *level;
            }
        }
        rule.severity
    }
}

impl Override {
    /// Whether a finding at `pointer` in `path` is this override's: its
    /// file matches a glob, and the node is the glob's node or below it.
    fn matches(&self, path: &str, pointer: &str) -> bool {
        self.globs.iter().any(|(glob, node)| {
            glob.is_match(path)
                && node.as_deref().is_none_or(|node| {
                    pointer == node
                        || (pointer.starts_with(node) && pointer[node.len()..].starts_with('/'))
                        || node.is_empty()
                })
        })
    }
}

/// An override's file pattern (`glob` or `glob#/pointer`), compiled.
fn target(pattern: &str) -> Option<(GlobMatcher, Option<String>)> {
    let (glob, pointer) = portolan_core::config::split_override_target(pattern);
    let glob = Glob::new(glob).ok()?.compile_matcher();
    Some((glob, pointer))
}

#[cfg(test)]
mod tests {
    use super::*;
    use portolan_core::config::Config;

    fn settings(toml: &str) -> Settings {
        Settings::new(&Config::parse("portolan.toml", toml).unwrap().lint)
    }

    fn level(s: &Settings, key: &str, file: &str) -> Option<Severity> {
        s.severity(codes::find(key).unwrap(), file, "")
    }

    #[test]
    fn overrides_narrowed_to_a_node_by_json_pointer() {
        let s = settings(
            "[[lint.overrides]]\nfiles = [\"apis/*.yaml#/paths/~1legacy\", \"other.yaml#/components/schemas/Old%20Name\"]\nrules = { L005 = \"off\" }\n",
        );
        let at =
            |file: &str, pointer: &str| s.severity(codes::find("L005").unwrap(), file, pointer);
        assert_eq!(at("apis/orders.yaml", "/paths/~1legacy"), None);
        assert_eq!(at("apis/orders.yaml", "/paths/~1legacy/get"), None);
        // Not a node below it, another node, another file.
        assert_eq!(
            at("apis/orders.yaml", "/paths/~1legacy-v2/get"),
            Some(Severity::Warning)
        );
        assert_eq!(
            at("apis/orders.yaml", "/paths/~1new/get"),
            Some(Severity::Warning)
        );
        assert_eq!(
            at("other/x.yaml", "/paths/~1legacy/get"),
            Some(Severity::Warning)
        );
        // The pointer is percent-decoded, as in a URI fragment.
        assert_eq!(
            at("other.yaml", "/components/schemas/Old Name/properties"),
            None
        );
        // A pointer that is no pointer is refused when portolan.toml is read.
        let bad = Config::parse(
            "portolan.toml",
            "[[lint.overrides]]\nfiles = [\"a.yaml#paths\"]\nrules = { L005 = \"off\" }\n",
        );
        assert!(bad.unwrap_err().contains("after `#` comes a JSON pointer"));
    }

    #[test]
    fn presets_and_levels() {
        let recommended = settings("");
        // Minimal and recommended rules at their defaults; style and
        // security off.
        assert_eq!(
            level(&recommended, "L005", "a.yaml"),
            Some(Severity::Warning)
        );
        assert_eq!(level(&recommended, "L003", "a.yaml"), Some(Severity::Info));
        assert_eq!(level(&recommended, "path-casing", "a.yaml"), None);
        assert_eq!(level(&recommended, "server-https", "a.yaml"), None);
        let strict = settings("[lint]\nextends = [\"strict\"]\n");
        assert_eq!(level(&strict, "L003", "a.yaml"), Some(Severity::Warning));
        assert_eq!(
            level(&strict, "path-casing", "a.yaml"),
            Some(Severity::Warning)
        );
        let security = settings("[lint]\nextends = [\"security\"]\n");
        assert_eq!(level(&security, "L005", "a.yaml"), None);
        assert_eq!(level(&security, "L028", "a.yaml"), Some(Severity::Warning));
        let combined = settings("[lint]\nextends = [\"minimal\", \"security\"]\n");
        assert_eq!(level(&combined, "L005", "a.yaml"), None);
        assert_eq!(level(&combined, "L017", "a.yaml"), Some(Severity::Warning));
        assert_eq!(level(&combined, "L028", "a.yaml"), Some(Severity::Warning));
        let off = settings("[lint]\nextends = [\"off\"]\n[lint.rules]\nL020 = \"error\"\n");
        assert_eq!(off.rules_to_run().len(), 1);
        assert_eq!(level(&off, "array-items", "a.yaml"), Some(Severity::Error));
    }

    #[test]
    fn rules_by_code_name_or_alias_and_overrides_by_glob() {
        let s = settings(
            "[lint.rules]\noperation-operationId = \"error\"\ninfo-license = \"off\"\nL026 = \"info\"\n\
             [[lint.overrides]]\nfiles = [\"apis/legacy/**\"]\nrules = { L005 = \"off\", no-http-verbs-in-paths = \"warn\" }\n",
        );
        assert_eq!(
            level(&s, "L005", "apis/new/openapi.yaml"),
            Some(Severity::Error)
        );
        assert_eq!(level(&s, "L005", "apis/legacy/v1/openapi.yaml"), None);
        assert_eq!(level(&s, "L003", "apis/new/openapi.yaml"), None);
        assert_eq!(
            level(&s, "L026", "apis/new/openapi.yaml"),
            Some(Severity::Info)
        );
        assert_eq!(
            level(&s, "L026", "apis/legacy/openapi.yaml"),
            Some(Severity::Warning)
        );
        // An inline definition's pseudo path matches by its descriptor.
        assert_eq!(
            level(&s, "L005", "apis/legacy/catalog-info.yaml#definition"),
            None
        );
        // A rule on in an override only is still run.
        let only_there = settings(
            "[lint]\nextends = [\"off\"]\n[[lint.overrides]]\nfiles = [\"x/**\"]\nrules = { L001 = \"warn\" }\n",
        );
        let run: Vec<&str> = only_there
            .rules_to_run()
            .iter()
            .map(|r| r.code.code)
            .collect();
        assert_eq!(run, vec!["L001"]);
        assert_eq!(level(&only_there, "L001", "y/a.yaml"), None);
    }
}
