//! Declarative custom rules: a path expression selecting nodes, a field of
//! each, and one of a fixed set of assertions, with a message template.
//! Written in Spectral's ruleset format (`given`, `then.field`,
//! `then.function`, `functionOptions`), so a team's existing rules carry
//! over; there is no scripting: a rule that needs a JavaScript function
//! is reported as unsupported when the ruleset is read.

use std::borrow::Cow;
use std::fmt::Write as _;

use portolan_apis::SpecFormat;
use portolan_core::Severity;
use regex::Regex;
use serde_json::Value;
use serde_json_path::JsonPath;

use crate::Formats;

/// One custom rule.
#[derive(Debug, Clone)]
pub struct CustomRule {
    /// Its name (the key in the ruleset's `rules`).
    pub name: String,
    pub description: Option<String>,
    /// The message template (`{{error}}`, `{{property}}`, `{{value}}`,
    /// `{{path}}`, `{{description}}`).
    pub message: Option<String>,
    /// The level; `None`: off (an override may turn it on).
    pub severity: Option<Severity>,
    pub formats: Formats,
    pub given: Vec<JsonPath>,
    pub then: Vec<Then>,
}

/// What is asserted of each selected node.
#[derive(Debug, Clone)]
pub struct Then {
    pub field: Field,
    pub function: Function,
}

/// Which part of a selected node the function looks at.
#[derive(Debug, Clone)]
pub enum Field {
    /// The node itself.
    Node,
    /// Each key of the node (an object).
    Keys,
    /// A member, by a dotted path (`info.contact`).
    Member(Vec<String>),
    /// A relative JSONPath (`$.servers[*].url`).
    Path(JsonPath),
}

/// Casing styles of the `casing` function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Casing {
    Flat,
    Camel,
    Pascal,
    Kebab,
    Cobol,
    Snake,
    Macro,
}

/// The assertions (Spectral's core functions that need no JavaScript).
#[derive(Debug, Clone)]
pub enum Function {
    Truthy,
    Falsy,
    Defined,
    Undefined,
    Pattern {
        matches: Option<Regex>,
        not_matches: Option<Regex>,
    },
    Casing {
        casing: Casing,
        disallow_digits: bool,
    },
    Length {
        min: Option<f64>,
        max: Option<f64>,
    },
    Enumeration(Vec<Value>),
    Alphabetical {
        keyed_by: Option<String>,
    },
    Schema(std::sync::Arc<jsonschema::Validator>),
    Xor(Vec<String>),
    Or(Vec<String>),
}

/// One finding of a custom rule: which rule, where (a JSON pointer into
/// the bundled document) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomFinding {
    pub rule: usize,
    pub pointer: String,
    pub message: String,
}

fn truthy(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(Value::String(s)) => !s.is_empty(),
        Some(_) => true,
    }
}

fn show(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn casing_matches(text: &str, casing: Casing, disallow_digits: bool) -> bool {
    if text.is_empty() || (disallow_digits && text.bytes().any(|b| b.is_ascii_digit())) {
        return false;
    }
    let lower_word = |w: &str| {
        !w.is_empty()
            && w.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
            && w.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    };
    let upper_word = |w: &str| {
        !w.is_empty()
            && w.bytes().next().is_some_and(|b| b.is_ascii_uppercase())
            && w.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    };
    let alnum = text.bytes().all(|b| b.is_ascii_alphanumeric());
    match casing {
        Casing::Flat => lower_word(text),
        Casing::Camel => alnum && text.as_bytes()[0].is_ascii_lowercase() && !has_upper_run(text),
        Casing::Pascal => alnum && text.as_bytes()[0].is_ascii_uppercase() && !has_upper_run(text),
        Casing::Kebab => text.split('-').all(lower_word),
        Casing::Cobol => text.split('-').all(upper_word),
        Casing::Snake => text.split('_').all(lower_word),
        Casing::Macro => text.split('_').all(upper_word),
    }
}

/// Two capitals in a row (`HTTPServer`): not camel or Pascal case.
fn has_upper_run(text: &str) -> bool {
    text.as_bytes()
        .windows(2)
        .any(|w| w[0].is_ascii_uppercase() && w[1].is_ascii_uppercase())
}

impl Function {
    /// The problem with `value` (`None` when undefined), named `subject`
    /// in the message, or `None` when the assertion holds.
    pub fn check(&self, value: Option<&Value>, subject: &str) -> Option<String> {
        match self {
            Function::Truthy => {
                (!truthy(value)).then(|| format!("{subject} is not set (or is empty)"))
            }
            Function::Falsy => truthy(value).then(|| format!("{subject} must not be set")),
            Function::Defined => value
                .is_none()
                .then(|| format!("{subject} must be defined")),
            Function::Undefined => value
                .is_some()
                .then(|| format!("{subject} must not be defined")),
            Function::Pattern {
                matches,
                not_matches,
            } => {
                let text = value.and_then(Value::as_str)?;
                if let Some(re) = matches
                    && !re.is_match(text)
                {
                    return Some(format!(
                        "{subject} `{text}` does not match `{}`",
                        re.as_str()
                    ));
                }
                if let Some(re) = not_matches
                    && re.is_match(text)
                {
                    return Some(format!(
                        "{subject} `{text}` must not match `{}`",
                        re.as_str()
                    ));
                }
                None
            }
            Function::Casing {
                casing,
                disallow_digits,
            } => {
                let text = value.and_then(Value::as_str)?;
                (!casing_matches(text, *casing, *disallow_digits)).then(|| {
                    format!(
                        "{subject} `{text}` is not {} case",
                        format!("{casing:?}").to_ascii_lowercase()
                    )
                })
            }
            Function::Length { min, max } => {
                let length = match value? {
                    Value::String(s) => s.chars().count() as f64,
                    Value::Array(a) => a.len() as f64,
                    Value::Object(o) => o.len() as f64,
                    Value::Number(n) => n.as_f64()?,
                    _ => return None,
                };
                if let Some(min) = min
                    && length < *min
                {
                    return Some(format!("{subject} is shorter than {min}"));
                }
                if let Some(max) = max
                    && length > *max
                {
                    return Some(format!("{subject} is longer than {max}"));
                }
                None
            }
            Function::Enumeration(values) => {
                let value = value?;
                (!values.contains(value)).then(|| {
                    let allowed: Vec<String> = values.iter().map(show).collect();
                    format!(
                        "{subject} `{}` is not one of: {}",
                        show(value),
                        allowed.join(", ")
                    )
                })
            }
            Function::Alphabetical { keyed_by } => {
                let keys: Vec<String> = match value? {
                    Value::Object(map) => map.keys().cloned().collect(),
                    Value::Array(items) => items
                        .iter()
                        .map(|item| match keyed_by {
                            Some(key) => item.get(key).map(show).unwrap_or_default(),
                            None => show(item),
                        })
                        .collect(),
                    _ => return None,
                };
                keys.windows(2)
                    .find(|w| w[0] > w[1])
                    .map(|w| format!("in {subject}, `{}` must come before `{}`", w[1], w[0]))
            }
            Function::Schema(validator) => {
                let value = value?;
                let errors =
                    portolan_core::schema_error::describe_errors_in(validator, value, "the value");
                errors.first().map(|e| format!("{subject}: {}", e.message))
            }
            Function::Xor(properties) => {
                let object = value?.as_object()?;
                let set: Vec<&String> = properties
                    .iter()
                    .filter(|p| object.contains_key(*p))
                    .collect();
                (set.len() != 1).then(|| {
                    format!(
                        "{subject} needs exactly one of {}",
                        properties
                            .iter()
                            .map(|p| format!("`{p}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })
            }
            Function::Or(properties) => {
                let object = value?.as_object()?;
                (!properties.iter().any(|p| object.contains_key(p))).then(|| {
                    format!(
                        "{subject} needs at least one of {}",
                        properties
                            .iter()
                            .map(|p| format!("`{p}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })
            }
        }
    }
}

fn member<'v>(value: &'v Value, path: &[String]) -> Option<&'v Value> {
    path.iter().try_fold(value, |v, key| match v {
        Value::Object(map) => map.get(key),
        Value::Array(items) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    })
}

fn expand(
    template: &str,
    rule: &CustomRule,
    error: &str,
    pointer: &str,
    value: Option<&Value>,
) -> String {
    let property = pointer
        .rsplit('/')
        .next()
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .unwrap_or_default();
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find("}}") else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let name = rest[start + 2..start + end].trim();
        match name {
            "error" => out.push_str(error),
            "property" => out.push_str(&property),
            "path" => out.push_str(if pointer.is_empty() { "/" } else { pointer }),
            "description" => out.push_str(rule.description.as_deref().unwrap_or_default()),
            "value" => {
                let _ = write!(
                    out,
                    "{}",
                    value.map(show).unwrap_or_else(|| "undefined".into())
                );
            }
            _ => out.push_str(&rest[start..start + end + 2]),
        }
        rest = &rest[start + end + 2..];
    }
    out.push_str(rest);
    out
}

/// Run `rules` over a bundled document of `format`.
pub fn run(rules: &[CustomRule], format: SpecFormat, doc: &Value) -> Vec<CustomFinding> {
    let mut findings = Vec::new();
    for (index, rule) in rules.iter().enumerate() {
        if !rule.formats.contains(format) {
            continue;
        }
        for given in &rule.given {
            for located in given.query_located(doc).iter() {
                let base = located.location().to_json_pointer();
                let node = located.node();
                for then in &rule.then {
                    // Borrowed where they can be: `given: $` must not copy the document.
                    let mut targets: Vec<(String, Option<Cow<'_, Value>>)> = Vec::new();
                    match &then.field {
                        Field::Node => targets.push((base.clone(), Some(Cow::Borrowed(node)))),
                        Field::Keys => {
                            if let Value::Object(map) = node {
                                for key in map.keys() {
                                    targets.push((
                                        format!(
                                            "{base}/{}",
                                            portolan_core::yaml::escape_pointer_token(key)
                                        ),
                                        Some(Cow::Owned(Value::String(key.clone()))),
                                    ));
                                }
                            }
                        }
                        Field::Member(path) => {
                            let value = member(node, path).map(Cow::Borrowed);
                            let pointer = match &value {
                                Some(_) => {
                                    let mut p = base.clone();
                                    for key in path {
                                        p.push('/');
                                        p.push_str(&portolan_core::yaml::escape_pointer_token(key));
                                    }
                                    p
                                }
                                // Undefined: the finding is on the node
                                // that lacks it.
                                None => base.clone(),
                            };
                            targets.push((pointer, value));
                        }
                        Field::Path(path) => {
                            for inner in path.query_located(node).iter() {
                                targets.push((
                                    format!("{base}{}", inner.location().to_json_pointer()),
                                    Some(Cow::Borrowed(inner.node())),
                                ));
                            }
                        }
                    }
                    for (pointer, value) in targets {
                        let subject = match &then.field {
                            Field::Member(path) => format!("`{}`", path.join(".")),
                            Field::Keys => "the key".to_string(),
                            Field::Node | Field::Path(_) => {
                                let last = pointer.rsplit('/').next().unwrap_or_default();
                                if last.is_empty() {
                                    "the document".to_string()
                                } else {
                                    format!("`{}`", last.replace("~1", "/").replace("~0", "~"))
                                }
                            }
                        };
                        if let Some(error) = then.function.check(value.as_deref(), &subject) {
                            let message = match &rule.message {
                                Some(template) => {
                                    expand(template, rule, &error, &pointer, value.as_deref())
                                }
                                None => match &rule.description {
                                    Some(description) => format!("{description}: {error}"),
                                    None => error,
                                },
                            };
                            findings.push(CustomFinding {
                                rule: index,
                                pointer,
                                message,
                            });
                        }
                    }
                }
            }
        }
    }
    findings.sort_by(|a, b| (a.rule, &a.pointer).cmp(&(b.rule, &b.pointer)));
    findings.dedup();
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casings() {
        let ok = |t: &str, c: Casing| casing_matches(t, c, false);
        assert!(ok("listpets", Casing::Flat) && !ok("listPets", Casing::Flat));
        assert!(ok("listPets", Casing::Camel) && !ok("ListPets", Casing::Camel));
        assert!(!ok("listHTTPPets", Casing::Camel));
        assert!(ok("ListPets", Casing::Pascal) && !ok("listPets", Casing::Pascal));
        assert!(ok("list-pets", Casing::Kebab) && !ok("list_pets", Casing::Kebab));
        assert!(!ok("list--pets", Casing::Kebab));
        assert!(ok("LIST-PETS", Casing::Cobol) && ok("list_pets", Casing::Snake));
        assert!(ok("LIST_PETS", Casing::Macro) && !ok("List_Pets", Casing::Macro));
        assert!(!casing_matches("pets2", Casing::Flat, true));
    }

    #[test]
    fn functions() {
        let v = serde_json::json!({"a": 1, "b": "", "list": ["b", "a"]});
        assert_eq!(
            Function::Truthy.check(v.get("b"), "`b`").as_deref(),
            Some("`b` is not set (or is empty)")
        );
        assert!(Function::Truthy.check(v.get("a"), "`a`").is_none());
        assert!(Function::Defined.check(v.get("zzz"), "`zzz`").is_some());
        assert!(
            Function::Xor(vec!["a".into(), "b".into()])
                .check(Some(&v), "x")
                .is_some()
        );
        assert!(
            Function::Or(vec!["a".into(), "z".into()])
                .check(Some(&v), "x")
                .is_none()
        );
        let alphabetical = Function::Alphabetical { keyed_by: None };
        assert_eq!(
            alphabetical.check(v.get("list"), "`list`").as_deref(),
            Some("in `list`, `a` must come before `b`")
        );
        let length = Function::Length {
            min: Some(2.0),
            max: None,
        };
        assert!(length.check(Some(&serde_json::json!("x")), "x").is_some());
        let enumeration = Function::Enumeration(vec![serde_json::json!("https")]);
        assert!(
            enumeration
                .check(Some(&serde_json::json!("http")), "x")
                .is_some()
        );
    }
}
