//! User policies: JSON Schemas from portolan.toml applied to the entities a
//! selector matches, each with its own code and severity.

use jsonschema::{Draft, Validator};
use portolan_catalog::Entity;
use portolan_core::config::{PolicyConfig, PolicySelector};
use portolan_core::{Diagnostic, codes};

/// A policy ready to apply, or the reason it cannot be.
pub struct Policy {
    pub config: PolicyConfig,
    /// Catalog-relative path (or path as given) of the schema, for messages.
    pub schema_path: String,
    validator: Result<Validator, String>,
    /// Hash of everything the policy was made from (cache key).
    fingerprint: u64,
}

/// One hash of `policies` (their settings and schemas): findings made with
/// the same fingerprint are the same.
pub fn fingerprint(policies: &[Policy]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for policy in policies {
        policy.fingerprint.hash(&mut hasher);
    }
    hasher.finish()
}

impl Policy {
    /// Compile a policy from its schema's text (`Err`: the file could not
    /// be read, with the reason).
    pub fn new(
        config: PolicyConfig,
        schema_path: String,
        schema_text: Result<String, String>,
    ) -> Policy {
        let fingerprint = {
            use std::hash::{Hash, Hasher};
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            format!("{config:?}").hash(&mut hasher);
            schema_path.hash(&mut hasher);
            schema_text.hash(&mut hasher);
            hasher.finish()
        };
        let validator = schema_text.and_then(|text| {
            let schema: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| format!("not valid JSON: {e}"))?;
            jsonschema::options()
                .with_draft(Draft::Draft202012)
                .build(&schema)
                .map_err(|e| format!("not a valid JSON Schema: {e}"))
        });
        Policy {
            config,
            schema_path,
            validator,
            fingerprint,
        }
    }

    /// The diagnostic for a policy whose schema failed to load.
    pub fn load_error(&self) -> Option<Diagnostic> {
        let reason = self.validator.as_ref().err()?;
        Some(
            Diagnostic::new(
                &codes::POLICY_LOAD,
                format!(
                    "policy `{}` cannot be applied: `{}`: {reason}",
                    self.config.code, self.schema_path
                ),
            )
            .in_file(portolan_core::config::CONFIG_FILE)
            .with_help("fix the schema file or the `schema` path (relative to portolan.toml)"),
        )
    }

    pub fn applies_to(&self, entity: &Entity) -> bool {
        selector_matches(&self.config.selector, entity)
    }

    pub fn check(&self, entity: &Entity) -> Vec<Diagnostic> {
        let Ok(validator) = &self.validator else {
            return Vec::new();
        };
        if !self.applies_to(entity) {
            return Vec::new();
        }
        let make = |detail: String| {
            Diagnostic::custom(
                &self.config.code,
                self.config.severity,
                format!("{}: {detail}", self.config.message),
            )
            .with_help(format!(
                "required by policy `{}` ({})",
                self.config.code, self.schema_path
            ))
        };
        crate::schemas::schema_diagnostics(validator, entity, &entity.to_json(), &make)
    }
}

fn eq(a: Option<&str>, b: &str) -> bool {
    a.is_some_and(|a| a.eq_ignore_ascii_case(b))
}

pub fn selector_matches(selector: &PolicySelector, entity: &Entity) -> bool {
    selector
        .kind
        .as_deref()
        .is_none_or(|k| k.eq_ignore_ascii_case(&entity.kind_name))
        && selector
            .spec_type
            .as_deref()
            .is_none_or(|t| eq(entity.spec_str("type"), t))
        && selector
            .lifecycle
            .as_deref()
            .is_none_or(|l| eq(entity.spec_str("lifecycle"), l))
        && selector
            .tag
            .as_deref()
            .is_none_or(|tag| entity.tags().any(|t| t.eq_ignore_ascii_case(tag)))
}

/// A policy schema's display path and its text, or why it cannot be read.
pub type SchemaText = (String, Result<String, String>);

/// Build every policy of `config`. `read_schema` gets the `schema` path as
/// written (relative to portolan.toml) and returns the path to show in
/// messages and the file's text or why it could not be read.
pub fn load_policies(
    config: &portolan_core::config::Config,
    read_schema: &dyn Fn(&str) -> SchemaText,
) -> Vec<Policy> {
    config
        .policies
        .iter()
        .map(|policy| {
            let (path, text) = read_schema(&policy.schema);
            Policy::new(policy.clone(), path, text)
        })
        .collect()
}

/// The configuration of the catalog in `source` (its `portolan.toml`, or
/// the defaults when it has none) and its policies, each schema read
/// through `source` relative to the root: how a library user or a test
/// checks a catalog the way `portolan check --root DIR` does.
pub fn configuration_in(
    source: &dyn portolan_core::source::Source,
) -> Result<(portolan_core::config::Config, Vec<Policy>), String> {
    use portolan_core::config::{CONFIG_FILE, Config};
    use portolan_core::source::ReadError;
    let config = match source.read(CONFIG_FILE, 4 * 1024 * 1024) {
        Ok(bytes) => {
            let text =
                String::from_utf8(bytes).map_err(|_| format!("{CONFIG_FILE} is not UTF-8"))?;
            Config::parse(CONFIG_FILE, &text)?
        }
        Err(ReadError::NotFound) => Config::default(),
        Err(err) => return Err(format!("cannot read {CONFIG_FILE}: {err}")),
    };
    let policies = load_policies(
        &config,
        &|schema| match portolan_core::paths::join_normalized("", schema) {
            Ok(path) => {
                let text = source
                    .read(&path, 4 * 1024 * 1024)
                    .map_err(|e| format!("cannot be read: {e}"))
                    .and_then(|b| String::from_utf8(b).map_err(|_| "is not UTF-8".to_string()));
                (path, text)
            }
            Err(err) => (schema.to_string(), Err(err.to_string())),
        },
    );
    Ok((config, policies))
}
