//! `x-lint-ignore`: rules a definition turns off for one of its objects
//! and everything under it, written in the definition itself:
//!
//! ```yaml
//! get:
//!   x-lint-ignore: [L004, operation-tags]      # or one name, or
//!   # x-lint-ignore: { L004: "generated client docs cover it" }
//! ```
//!
//! Names are codes, names or aliases of lint rules; an unknown one is
//! reported (A016) rather than silently ignoring nothing.

use std::collections::HashMap;

use portolan_core::codes;
use portolan_core::yaml::escape_pointer_token;
use serde_json::Value;

/// The extension's key.
pub const KEY: &str = "x-lint-ignore";

/// Where rules are ignored: object pointer → codes.
#[derive(Debug, Default)]
pub struct Ignores {
    /// Codes of portolan's rules, and names of custom rules.
    by_pointer: HashMap<String, Vec<String>>,
    /// Problems: (pointer of the `x-lint-ignore` value, message).
    pub problems: Vec<(String, String)>,
}

impl Ignores {
    /// Collect every `x-lint-ignore` of a bundled document (an explicit
    /// stack: linear in the document, whatever its depth).
    pub fn collect(doc: &Value) -> Ignores {
        Ignores::collect_with(doc, &[])
    }

    /// [`Ignores::collect`], where `custom` names the ruleset's custom
    /// rules (which may be ignored by name too).
    pub fn collect_with(doc: &Value, custom: &[&str]) -> Ignores {
        let mut ignores = Ignores::default();
        let mut stack: Vec<(String, &Value)> = vec![(String::new(), doc)];
        while let Some((pointer, value)) = stack.pop() {
            match value {
                Value::Object(map) => {
                    if let Some(ignore) = map.get(KEY) {
                        ignores.read(&pointer, ignore, custom);
                    }
                    for (key, child) in map {
                        if key != KEY && (child.is_object() || child.is_array()) {
                            stack.push((format!("{pointer}/{}", escape_pointer_token(key)), child));
                        }
                    }
                }
                Value::Array(items) => {
                    for (i, child) in items.iter().enumerate() {
                        if child.is_object() || child.is_array() {
                            stack.push((format!("{pointer}/{i}"), child));
                        }
                    }
                }
                _ => {}
            }
        }
        ignores.problems.sort();
        ignores
    }

    fn read(&mut self, pointer: &str, value: &Value, custom: &[&str]) {
        let at = format!("{pointer}/{KEY}");
        let names: Vec<(String, &str)> = match value {
            Value::String(name) => vec![(at.clone(), name.as_str())],
            Value::Array(items) => {
                let mut names = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    match item.as_str() {
                        Some(name) => names.push((format!("{at}/{i}"), name)),
                        None => self.problems.push((
                            format!("{at}/{i}"),
                            format!("`{KEY}` lists rule names; this item is not a string"),
                        )),
                    }
                }
                names
            }
            Value::Object(map) => map
                .keys()
                .map(|name| {
                    (
                        format!("{at}/{}", escape_pointer_token(name)),
                        name.as_str(),
                    )
                })
                .collect(),
            _ => {
                self.problems.push((
                    at,
                    format!(
                        "`{KEY}` is a rule name, a list of them, or a mapping from rule to reason"
                    ),
                ));
                return;
            }
        };
        for (name_at, name) in names {
            let known = crate::find_rule(name)
                .map(|rule| rule.code.code.to_string())
                .or_else(|| custom.contains(&name).then(|| name.to_string()));
            match known {
                Some(key) => self
                    .by_pointer
                    .entry(pointer.to_string())
                    .or_default()
                    .push(key),
                None => {
                    let hint = codes::ALL
                        .iter()
                        .filter(|c| c.code.starts_with('L'))
                        .min_by_key(|c| strsim::levenshtein(&name.to_ascii_lowercase(), c.name))
                        .map(|c| format!(" (did you mean `{}`, {}?)", c.name, c.code))
                        .unwrap_or_default();
                    self.problems
                        .push((name_at, format!("`{name}` is no lint rule{hint}")));
                }
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.by_pointer.is_empty()
    }

    /// Whether the custom rule `name` is ignored at `pointer`.
    pub fn ignores_name(&self, name: &str, pointer: &str) -> bool {
        self.ignores(name, pointer)
    }

    /// Whether `code` is ignored at `pointer`: on the object itself or on
    /// one of the objects holding it.
    pub fn ignores(&self, code: &str, pointer: &str) -> bool {
        if self.by_pointer.is_empty() {
            return false;
        }
        let holds = |prefix: &str| {
            self.by_pointer
                .get(prefix)
                .is_some_and(|codes| codes.iter().any(|c| c == code))
        };
        if holds("") {
            return true;
        }
        pointer
            .match_indices('/')
            .skip(1)
            .map(|(i, _)| &pointer[..i])
            .chain(std::iter::once(pointer))
            .any(holds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ignores_hold_for_the_object_and_below() {
        let doc = json!({
            "paths": {
                "/pets": {
                    "get": {"x-lint-ignore": ["L004", "operation-tags"], "responses": {}},
                    "post": {"x-lint-ignore": {"operation-operationId": "generated"}}
                },
                "/a~b": {"x-lint-ignore": "L014"}
            }
        });
        let ignores = Ignores::collect(&doc);
        assert!(ignores.problems.is_empty(), "{:?}", ignores.problems);
        assert!(ignores.ignores("L004", "/paths/~1pets/get"));
        assert!(ignores.ignores("L007", "/paths/~1pets/get/responses"));
        assert!(!ignores.ignores("L004", "/paths/~1pets/post"));
        assert!(ignores.ignores("L005", "/paths/~1pets/post"));
        // A prefix of a token is not an ancestor.
        assert!(!ignores.ignores("L004", "/paths/~1pets/getter"));
        assert!(ignores.ignores("L014", "/paths/~1a~0b"));
    }

    #[test]
    fn unknown_names_and_shapes_are_problems() {
        let doc = json!({"info": {"x-lint-ignore": ["operation-tag", 3]}, "x-lint-ignore": true});
        let ignores = Ignores::collect(&doc);
        let messages: Vec<&str> = ignores.problems.iter().map(|p| p.1.as_str()).collect();
        assert_eq!(ignores.problems[0].0, "/info/x-lint-ignore/0");
        assert!(
            messages[0]
                .contains("`operation-tag` is no lint rule (did you mean `operation-tags`, L007?)"),
            "{messages:?}"
        );
        assert!(messages[1].contains("not a string"), "{messages:?}");
        assert!(
            messages[2].contains("a rule name, a list of them"),
            "{messages:?}"
        );
        assert!(ignores.is_empty());
    }
}
