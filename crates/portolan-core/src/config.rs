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
    /// Largest file read, in bytes.
    #[serde(default = "default_max_file_size")]
    pub max_file_size: u64,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            max_file_size: default_max_file_size(),
        }
    }
}

fn default_max_file_size() -> u64 {
    32 * 1024 * 1024
}

impl Config {
    /// Parse portolan.toml; the error names the file and line:col.
    pub fn parse(path_for_messages: &str, text: &str) -> Result<Config, String> {
        toml::from_str(text).map_err(|e| format!("invalid {path_for_messages}: {e}"))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_config_has_defaults() {
        let config = Config::parse("portolan.toml", "").unwrap();
        assert_eq!(config.discovery.include.len(), 2);
        assert_eq!(config.limits.max_file_size, 32 * 1024 * 1024);
    }

    #[test]
    fn unknown_keys_are_reported_with_position() {
        let err = Config::parse("portolan.toml", "[site]\ntitel = 'x'\n").unwrap_err();
        assert!(err.contains("titel"), "{err}");
        assert!(err.contains("line 2"), "{err}");
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
}
