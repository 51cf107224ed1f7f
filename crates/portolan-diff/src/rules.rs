//! Levels from `portolan.toml`: `[rules]` per code for every API, then
//! `[[diff.rules]]` per code, API and operation, each with a reason and an
//! optional expiry date after which it no longer applies.

use portolan_catalog::entity_ref::{DEFAULT_NAMESPACE, EntityRef};
use portolan_core::Severity;
use portolan_core::codes;
use portolan_core::config::{Config, DiffRule};

use crate::Date;
use crate::catalog::Finding;

/// A `[[diff.rules]]` entry, checked.
#[derive(Debug)]
struct Rule<'a> {
    entry: &'a DiffRule,
    /// The code the entry names, resolved from a code or a name.
    code: &'static str,
    /// The API's key (`api:default/payments`), when it names one.
    api: Option<String>,
    expires: Option<Date>,
}

/// What applying the rules found worth telling the user.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct RuleNotes {
    /// Entries past their expiry date: no longer applied.
    pub expired: Vec<String>,
    /// Entries that matched at least one change (levels changed or
    /// changes ignored), with their reason.
    pub applied: Vec<String>,
}

/// Entries that cannot be applied: an unknown code, an API that is not an
/// entity ref, an expiry that is not a date. The caller stops on these
/// (exit 2): an ignore that silently applies to nothing hides breaking
/// changes.
pub fn check_rules(config: &Config) -> Result<(), String> {
    parse_rules(config).map(|_| ())
}

fn parse_rules(config: &Config) -> Result<Vec<Rule<'_>>, String> {
    config
        .diff
        .rules
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let which = || format!("[[diff.rules]] entry {} (code `{}`)", i + 1, entry.code);
            let code = codes::find(&entry.code)
                .filter(|c| c.code.starts_with('C'))
                .ok_or_else(|| {
                    format!(
                        "{}: not a contract-change code; `portolan check --explain all` lists the C codes",
                        which()
                    )
                })?
                .code;
            let api = match &entry.api {
                Some(text) => Some(
                    EntityRef::parse(text, Some("api"), DEFAULT_NAMESPACE)
                        .map_err(|e| format!("{}: `api = {text:?}` is not an entity ref ({e})", which()))?
                        .key()
                        .to_string(),
                ),
                None => None,
            };
            let expires = match &entry.expires {
                Some(text) => Some(Date::parse(text).ok_or_else(|| {
                    format!("{}: `expires = {text:?}` is not a date (YYYY-MM-DD)", which())
                })?),
                None => None,
            };
            if entry.reason.trim().is_empty() {
                return Err(format!("{}: `reason` is empty; say why", which()));
            }
            Ok(Rule {
                entry,
                code,
                api,
                expires,
            })
        })
        .collect()
}

/// Apply `[rules]` and then `[[diff.rules]]` to one API's findings (its
/// key: `api:default/payments`); drop those turned off. `today` decides
/// which entries expired (without it, none has).
pub fn apply(
    config: &Config,
    api_key: &str,
    findings: Vec<Finding>,
    today: Option<Date>,
    notes: &mut RuleNotes,
) -> Result<Vec<Finding>, String> {
    let rules = parse_rules(config)?;
    let live: Vec<&Rule<'_>> = rules
        .iter()
        .filter(|rule| {
            let expired =
                matches!((rule.expires, today), (Some(until), Some(today)) if today > until);
            if expired {
                let note = format!(
                    "[[diff.rules]] for {} on {} expired on {} and no longer applies (it said: {})",
                    rule.code,
                    rule.api.as_deref().unwrap_or("every API"),
                    rule.entry.expires.as_deref().unwrap_or(""),
                    rule.entry.reason
                );
                if !notes.expired.contains(&note) {
                    notes.expired.push(note);
                }
            }
            !expired
        })
        .collect();
    let mut out = Vec::with_capacity(findings.len());
    for mut finding in findings {
        let d = &mut finding.diagnostic;
        let name = codes::find(&d.code).map(|c| c.name);
        let Some(severity) = config.severity_for(&d.code, name, d.severity) else {
            continue;
        };
        d.severity = severity;
        let matching = live.iter().find(|rule| {
            rule.code == d.code
                && rule.api.as_deref().is_none_or(|api| api == api_key)
                && rule
                    .entry
                    .operation
                    .as_deref()
                    .is_none_or(|op| finding.operations.iter().any(|o| same_operation(o, op)))
        });
        if let Some(rule) = matching {
            let note = format!(
                "{} on {}{}: {} ({})",
                rule.code,
                api_key,
                rule.entry
                    .operation
                    .as_deref()
                    .map(|op| format!(", {op}"))
                    .unwrap_or_default(),
                match rule.entry.level.severity() {
                    Some(Severity::Error) => "breaking",
                    Some(Severity::Warning) => "warning",
                    Some(Severity::Info) => "info",
                    None => "ignored",
                },
                rule.entry.reason
            );
            if !notes.applied.contains(&note) {
                notes.applied.push(note);
            }
            match rule.entry.level.severity() {
                Some(severity) => d.severity = severity,
                None => continue,
            }
        }
        out.push(finding);
    }
    Ok(out)
}

/// `GET /pets/{id}` and `get /pets/{petId}` name the same operation.
fn same_operation(label: &str, written: &str) -> bool {
    let normalise = |s: &str| {
        let mut out = String::with_capacity(s.len());
        let mut in_var = false;
        for c in s.trim().chars() {
            match c {
                '{' => {
                    in_var = true;
                    out.push('{');
                }
                '}' => {
                    in_var = false;
                    out.push('}');
                }
                _ if in_var => {}
                _ => out.push(c.to_ascii_lowercase()),
            }
        }
        out
    };
    normalise(label) == normalise(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use portolan_core::Diagnostic;

    fn finding(code: &portolan_core::codes::Code, operation: &str) -> Finding {
        Finding {
            diagnostic: Diagnostic::new(code, "x"),
            operations: vec![operation.to_string()],
            pointers: (None, None),
        }
    }

    fn config(toml: &str) -> Config {
        Config::parse("portolan.toml", toml).unwrap()
    }

    fn date(text: &str) -> Option<Date> {
        Date::parse(text)
    }

    #[test]
    fn entries_match_code_api_and_operation_until_they_expire() {
        let config = config(
            r#"
[[diff.rules]]
code = "operation-removed"
api = "payments"
operation = "GET /pets/{petId}"
level = "off"
reason = "nobody called it (INC-42)"
expires = "2027-01-31"
"#,
        );
        let findings = || {
            vec![
                finding(&codes::OPERATION_REMOVED, "GET /pets/{id}"),
                finding(&codes::OPERATION_REMOVED, "GET /owners"),
            ]
        };
        let mut notes = RuleNotes::default();
        let kept = apply(
            &config,
            "api:default/payments",
            findings(),
            date("2027-01-31"),
            &mut notes,
        )
        .unwrap();
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].operations, ["GET /owners"]);
        assert_eq!(notes.applied.len(), 1);
        assert!(notes.applied[0].contains("INC-42"), "{notes:?}");
        // Another API: not matched.
        let kept = apply(&config, "api:default/orders", findings(), None, &mut notes).unwrap();
        assert_eq!(kept.len(), 2);
        // The day after the expiry: applies no more, and says so.
        let mut notes = RuleNotes::default();
        let kept = apply(
            &config,
            "api:default/payments",
            findings(),
            date("2027-02-01"),
            &mut notes,
        )
        .unwrap();
        assert_eq!(kept.len(), 2);
        assert_eq!(notes.expired.len(), 1, "{notes:?}");
        assert!(notes.applied.is_empty());
    }

    #[test]
    fn global_rules_apply_first_and_diff_rules_set_levels() {
        let config = config(
            r#"
[rules]
C001 = "warning"

[[diff.rules]]
code = "C002"
level = "breaking"
reason = "we promised a year of deprecation"
"#,
        );
        let mut notes = RuleNotes::default();
        let kept = apply(
            &config,
            "api:default/a",
            vec![
                finding(&codes::OPERATION_REMOVED, "GET /a"),
                finding(&codes::DEPRECATED_OPERATION_REMOVED, "GET /b"),
            ],
            None,
            &mut notes,
        )
        .unwrap();
        assert_eq!(kept[0].diagnostic.severity, Severity::Warning);
        assert_eq!(kept[1].diagnostic.severity, Severity::Error);
    }

    #[test]
    fn entries_that_cannot_apply_are_errors() {
        for (toml, expected) in [
            (
                "code = \"R001\"\nlevel = \"off\"\nreason = \"x\"",
                "not a contract-change code",
            ),
            (
                "code = \"C001\"\nlevel = \"off\"\nreason = \"x\"\napi = \"a:b:c\"",
                "not an entity ref",
            ),
            (
                "code = \"C001\"\nlevel = \"off\"\nreason = \"x\"\nexpires = \"soon\"",
                "not a date",
            ),
            (
                "code = \"C001\"\nlevel = \"off\"\nreason = \"  \"",
                "say why",
            ),
        ] {
            let err = check_rules(&config(&format!("[[diff.rules]]\n{toml}\n"))).unwrap_err();
            assert!(err.contains(expected), "{err}");
        }
    }

    #[test]
    fn operations_match_whatever_the_variable_names_and_case() {
        assert!(same_operation("GET /pets/{petId}", "get /pets/{id}"));
        assert!(!same_operation("GET /pets/{petId}", "GET /pets"));
    }
}
