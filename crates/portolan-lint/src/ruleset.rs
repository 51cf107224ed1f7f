//! Spectral rulesets (`.spectral.yaml`, `.spectral.yml`, `.spectral.json`
//! at the catalog root, or the file `ruleset` under `[lint]` names), read
//! without Node: `extends` of `spectral:oas` / `spectral:asyncapi` (with
//! `recommended`, `all` or `off`), rule severities (Spectral's names map to
//! portolan's rules through the alias table), `overrides` by file glob,
//! and custom rules whose `then.function` is one of Spectral's core
//! functions. What cannot run here (a JavaScript function, an `extends`
//! of a URL or a package, a JSONPath-Plus filter with script) is reported
//! once as unsupported (U002), never silently dropped; a malformed ruleset
//! is an error at its line and column (U003).

use std::sync::Arc;

use portolan_core::codes::{self, Code};
use portolan_core::config::LintPreset;
use portolan_core::files::SourceFile;
use portolan_core::yaml::Node;
use portolan_core::{Diagnostic, Severity};
use regex::{Regex, RegexBuilder};
use serde_json::Value;
use serde_json_path::JsonPath;

use crate::Formats;
use crate::custom::{Casing, CustomRule, Field, Function, Then};

/// Where a ruleset is looked for when `[lint] ruleset` names none.
pub const DEFAULT_FILES: &[&str] = &[".spectral.yaml", ".spectral.yml", ".spectral.json"];

/// One entry of `overrides`: file globs, and levels by rule code (for
/// portolan's rules) or name (for custom rules).
#[derive(Debug, Default, Clone)]
pub struct RulesetOverride {
    pub globs: Vec<String>,
    pub levels: Vec<(String, Option<Severity>)>,
}

/// A ruleset, read.
#[derive(Debug, Default, Clone)]
pub struct Ruleset {
    /// The file it was read from.
    pub file: String,
    /// Presets its `extends` maps to (empty: none named).
    pub presets: Vec<LintPreset>,
    /// Levels of portolan's rules, by code, in the order written.
    pub levels: Vec<(&'static str, Option<Severity>)>,
    pub custom: Vec<CustomRule>,
    /// `overrides`, in order.
    pub overrides: Vec<RulesetOverride>,
    /// The text read (part of the settings' fingerprint).
    pub text: String,
}

struct Reader<'a> {
    file: &'a str,
    diagnostics: Vec<Diagnostic>,
}

impl Reader<'_> {
    fn invalid(&mut self, node: &Node, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::new(&codes::RULESET_INVALID, message).at(self.file, node.span));
    }

    fn unsupported(&mut self, node: &Node, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::new(&codes::RULESET_UNSUPPORTED, message).at(self.file, node.span));
    }
}

/// A Spectral severity: a name, 0–3, or `true`/`false` (on at the rule's
/// own level / off). `Err` for anything else; `Ok(None)` is off;
/// `Ok(Some(None))` means "the rule's default".
fn severity(node: &Node) -> Result<Option<Option<Severity>>, String> {
    use portolan_core::yaml::Value as Y;
    match &node.value {
        Y::String(s) => match s.as_str() {
            "error" => Ok(Some(Some(Severity::Error))),
            "warn" | "warning" => Ok(Some(Some(Severity::Warning))),
            "info" | "hint" => Ok(Some(Some(Severity::Info))),
            "off" => Ok(None),
            other => Err(format!(
                "`{other}` is not a severity (error, warn, info, hint or off)"
            )),
        },
        Y::Int(0) => Ok(Some(Some(Severity::Error))),
        Y::Int(1) => Ok(Some(Some(Severity::Warning))),
        Y::Int(2) | Y::Int(3) => Ok(Some(Some(Severity::Info))),
        Y::Int(-1) => Ok(None),
        Y::Bool(true) => Ok(Some(None)),
        Y::Bool(false) => Ok(None),
        _ => Err(format!(
            "a severity is a name, 0-3 or a boolean, not {}",
            node.type_name()
        )),
    }
}

fn strings(node: &Node) -> Option<Vec<&str>> {
    match node.as_str() {
        Some(s) => Some(vec![s]),
        None => node.as_seq()?.iter().map(Node::as_str).collect(),
    }
}

/// Spectral's format names.
fn formats(node: &Node) -> Result<Formats, String> {
    let names = strings(node).ok_or("`formats` is a list of format names")?;
    let mut out = Formats(0);
    for name in names {
        out = out.or(match name {
            "oas2" => Formats::OAS2,
            "oas3" => Formats::OAS3,
            "oas3.0" | "oas3_0" => Formats::OAS30,
            "oas3.1" | "oas3_1" => Formats::OAS31,
            "asyncapi2" | "aas2" => Formats::ASYNC2,
            "asyncapi3" | "aas3" => Formats::ASYNC3,
            "asyncapi" | "aas" => Formats::ASYNCAPI,
            other => {
                return Err(format!(
                    "`{other}` is not a format portolan lints (oas2, oas3, oas3.0, oas3.1, asyncapi2, asyncapi3)"
                ));
            }
        });
    }
    Ok(out)
}

/// Rewrite a Spectral (JSONPath-Plus) path into RFC 9535: bare names in
/// brackets are quoted (`[get,put]` → `['get','put']`), member names that
/// RFC 9535 does not allow after a dot are bracketed (`.x-logo` →
/// `['x-logo']`), and `[?(@.in == 'query')]` filters lose their
/// parentheses. Filters that use script (`@property`, method calls) are
/// `Err`: they need JavaScript.
pub fn spectral_path(path: &str) -> Result<String, String> {
    let path = path.trim();
    if !path.starts_with('$') {
        return Err(format!(
            "`{path}` is not a JSONPath (it must start with `$`)"
        ));
    }
    for script in [
        "@property",
        "@parentProperty",
        "@parent",
        "@path",
        "@root",
        "@.match(",
        ".indexOf(",
        ".includes(",
        "=~",
        "@.length",
    ] {
        if path.contains(script) {
            return Err(format!(
                "`{path}` uses `{script}`, which needs JSONPath-Plus's JavaScript"
            ));
        }
    }
    let chars: Vec<char> = path.chars().collect();
    let mut out = String::from("$");
    let mut i = 1;
    let is_short = |name: &str| {
        let mut cs = name.chars();
        cs.next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || !c.is_ascii())
            && cs.all(|c| c.is_ascii_alphanumeric() || c == '_' || !c.is_ascii())
    };
    let quote = |name: &str| format!("['{}']", name.replace('\\', "\\\\").replace('\'', "\\'"));
    while i < chars.len() {
        match chars[i] {
            '.' => {
                let descendant = chars.get(i + 1) == Some(&'.');
                if descendant {
                    out.push_str("..");
                    i += 2;
                } else {
                    i += 1;
                }
                if chars.get(i) == Some(&'[') {
                    continue;
                }
                let start = i;
                while i < chars.len() && chars[i] != '.' && chars[i] != '[' {
                    i += 1;
                }
                let name: String = chars[start..i].iter().collect();
                if name.is_empty() {
                    return Err(format!("`{path}` has an empty member name"));
                }
                if name == "*" || is_short(&name) {
                    if !descendant {
                        out.push('.');
                    }
                    out.push_str(&name);
                } else {
                    out.push_str(&quote(&name));
                }
            }
            '[' => {
                // The matching bracket, outside quotes and parentheses.
                let start = i + 1;
                let (mut depth, mut quote_char) = (0i32, None::<char>);
                let mut end = None;
                let mut j = start;
                while j < chars.len() {
                    let c = chars[j];
                    match quote_char {
                        Some(q) if c == q => quote_char = None,
                        Some(_) => {}
                        None => match c {
                            '\'' | '"' => quote_char = Some(c),
                            '(' | '[' => depth += 1,
                            ')' => depth -= 1,
                            ']' if depth == 0 => {
                                end = Some(j);
                                break;
                            }
                            ']' => depth -= 1,
                            _ => {}
                        },
                    }
                    j += 1;
                }
                let end = end.ok_or_else(|| format!("`{path}` has an unclosed `[`"))?;
                let inner: String = chars[start..end].iter().collect();
                let inner = inner.trim();
                if let Some(filter) = inner.strip_prefix('?') {
                    let filter = filter.trim();
                    let filter = filter
                        .strip_prefix('(')
                        .and_then(|f| f.strip_suffix(')'))
                        .unwrap_or(filter);
                    let filter = filter.replace("===", "==").replace("!==", "!=");
                    out.push_str(&format!("[?{filter}]"));
                } else {
                    let parts: Vec<String> = inner
                        .split(',')
                        .map(str::trim)
                        .map(|part| {
                            let numeric = part
                                .bytes()
                                .all(|b| b.is_ascii_digit() || b == b'-' || b == b':');
                            if part == "*"
                                || numeric
                                || part.starts_with('\'')
                                || part.starts_with('"')
                            {
                                part.to_string()
                            } else {
                                format!("'{}'", part.replace('\\', "\\\\").replace('\'', "\\'"))
                            }
                        })
                        .collect();
                    out.push_str(&format!("[{}]", parts.join(",")));
                }
                i = end + 1;
            }
            c => return Err(format!("`{path}`: unexpected `{c}`")),
        }
    }
    Ok(out)
}

fn compile_path(path: &str) -> Result<JsonPath, String> {
    let rewritten = spectral_path(path)?;
    JsonPath::parse(&rewritten)
        .map_err(|e| format!("`{path}` is not a JSONPath portolan can run: {e}"))
}

fn regex(text: &str) -> Result<Regex, String> {
    // `/.../flags` as JavaScript writes it, or the bare pattern.
    let (pattern, case_insensitive) = match text.strip_prefix('/').and_then(|t| t.rsplit_once('/'))
    {
        Some((pattern, flags)) if flags.chars().all(|f| "gimsuy".contains(f)) => {
            (pattern, flags.contains('i'))
        }
        _ => (text, false),
    };
    RegexBuilder::new(pattern)
        .case_insensitive(case_insensitive)
        .size_limit(1 << 20)
        .build()
        .map_err(|e| format!("`{text}` is not a regular expression portolan can run: {e}"))
}

/// The function of one `then`; `Err((unsupported, message))`.
fn function(then: &Node) -> Result<Function, (bool, String)> {
    let name = then
        .get("function")
        .and_then(Node::as_str)
        .ok_or((false, "`then` needs a `function`".to_string()))?;
    let options = then
        .get("functionOptions")
        .map(Node::to_json)
        .unwrap_or(Value::Null);
    let option_strings = |key: &str| -> Vec<String> {
        options
            .get(key)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let invalid = |m: String| (false, m);
    Ok(match name {
        "truthy" => Function::Truthy,
        "falsy" => Function::Falsy,
        "defined" => Function::Defined,
        "undefined" => Function::Undefined,
        "pattern" => {
            let get = |key: &str| {
                options
                    .get(key)
                    .and_then(Value::as_str)
                    .map(regex)
                    .transpose()
            };
            let matches = get("match").map_err(invalid)?;
            let not_matches = get("notMatch").map_err(invalid)?;
            if matches.is_none() && not_matches.is_none() {
                return Err(invalid(
                    "`pattern` needs `match` or `notMatch` in `functionOptions`".into(),
                ));
            }
            Function::Pattern {
                matches,
                not_matches,
            }
        }
        "casing" => {
            let casing = match options.get("type").and_then(Value::as_str) {
                Some("flat") => Casing::Flat,
                Some("camel") => Casing::Camel,
                Some("pascal") => Casing::Pascal,
                Some("kebab") => Casing::Kebab,
                Some("cobol") => Casing::Cobol,
                Some("snake") => Casing::Snake,
                Some("macro") => Casing::Macro,
                other => {
                    return Err(invalid(format!(
                        "`casing` needs a `type` (flat, camel, pascal, kebab, cobol, snake, macro), not {other:?}"
                    )));
                }
            };
            if options.get("separator").is_some() {
                return Err((true, "`casing` with a custom `separator`".into()));
            }
            Function::Casing {
                casing,
                disallow_digits: options.get("disallowDigits") == Some(&Value::Bool(true)),
            }
        }
        "length" => {
            let min = options.get("min").and_then(Value::as_f64);
            let max = options.get("max").and_then(Value::as_f64);
            if min.is_none() && max.is_none() {
                return Err(invalid("`length` needs `min` or `max`".into()));
            }
            Function::Length { min, max }
        }
        "enumeration" => Function::Enumeration(
            options
                .get("values")
                .and_then(Value::as_array)
                .cloned()
                .ok_or_else(|| invalid("`enumeration` needs `values`".into()))?,
        ),
        "alphabetical" => Function::Alphabetical {
            keyed_by: options
                .get("keyedBy")
                .and_then(Value::as_str)
                .map(str::to_string),
        },
        "schema" => {
            let schema = options
                .get("schema")
                .ok_or_else(|| invalid("`schema` needs a `schema`".into()))?;
            let validator = jsonschema::options()
                .build(schema)
                .map_err(|e| invalid(format!("the `schema` is not a valid JSON Schema: {e}")))?;
            Function::Schema(Arc::new(validator))
        }
        "xor" | "or" => {
            let properties = option_strings("properties");
            if properties.len() < 2 {
                return Err(invalid(format!("`{name}` needs at least two `properties`")));
            }
            if name == "xor" {
                Function::Xor(properties)
            } else {
                Function::Or(properties)
            }
        }
        other => {
            return Err((
                true,
                format!(
                    "the function `{other}` (only Spectral's core functions run without JavaScript)"
                ),
            ));
        }
    })
}

fn field(then: &Node) -> Result<Field, String> {
    match then.get("field").map(|f| f.as_str()) {
        None => Ok(Field::Node),
        Some(Some("@key")) => Ok(Field::Keys),
        Some(Some(path)) if path.starts_with('$') => compile_path(path).map(Field::Path),
        Some(Some(name)) => Ok(Field::Member(name.split('.').map(str::to_string).collect())),
        Some(None) => Err("`field` is a property name or a JSONPath".into()),
    }
}

/// Read the ruleset in `file`. Findings about it go to `diagnostics`.
pub fn read(
    file: &Arc<SourceFile>,
    yaml: portolan_core::yaml::YamlLimits,
    diagnostics: &mut Vec<Diagnostic>,
) -> Ruleset {
    let mut ruleset = Ruleset {
        file: file.path.clone(),
        text: file.text.clone(),
        ..Ruleset::default()
    };
    let documents = portolan_core::parse::parse_file(file, yaml, diagnostics);
    let Some(root) = documents.into_iter().find(|d| !d.is_empty).map(|d| d.root) else {
        return ruleset;
    };
    let mut reader = Reader {
        file: &file.path,
        diagnostics: Vec::new(),
    };
    let Some(entries) = root.as_map() else {
        reader.invalid(
            &root,
            "a ruleset is a mapping (`extends`, `rules`, `overrides`)",
        );
        diagnostics.extend(reader.diagnostics);
        return ruleset;
    };
    let default_formats = match root.get("formats").map(formats) {
        Some(Ok(f)) => f,
        Some(Err(message)) => {
            reader.invalid(root.get("formats").unwrap_or(&root), message);
            Formats::ALL
        }
        None => Formats::ALL,
    };
    for entry in entries {
        match entry.key.as_str() {
            "extends" => read_extends(&mut reader, &entry.value, &mut ruleset),
            "rules" => read_rules(&mut reader, &entry.value, default_formats, &mut ruleset),
            "overrides" => read_overrides(&mut reader, &entry.value, &mut ruleset),
            "formats" | "documentationUrl" | "description" => {}
            "functions" | "functionsDir" | "aliases" | "parserOptions" => reader.unsupported(
                &entry.value,
                format!("`{}` is not read: portolan runs no JavaScript and resolves no ruleset aliases; rules that need them are reported one by one", entry.key),
            ),
            other => reader.invalid(&entry.value, format!("`{other}` is not a ruleset field (extends, rules, overrides, formats)")),
        }
    }
    diagnostics.extend(reader.diagnostics);
    ruleset
}

fn read_extends(reader: &mut Reader<'_>, node: &Node, ruleset: &mut Ruleset) {
    let items: Vec<&Node> = match node.as_seq() {
        Some(items) => {
            // `[spectral:oas, all]` is one entry with its mode.
            if items.len() == 2
                && items[0]
                    .as_str()
                    .is_some_and(|s| s.starts_with("spectral:"))
                && items[1]
                    .as_str()
                    .is_some_and(|s| matches!(s, "all" | "recommended" | "off"))
            {
                vec![node]
            } else {
                items.iter().collect()
            }
        }
        None => vec![node],
    };
    for item in items {
        let (name, mode) = match (item.as_str(), item.as_seq()) {
            (Some(name), _) => (name, "recommended"),
            (None, Some([name, mode])) => match (name.as_str(), mode.as_str()) {
                (Some(name), Some(mode)) => (name, mode),
                _ => {
                    reader.invalid(item, "an `extends` entry is a ruleset name or [name, mode]");
                    continue;
                }
            },
            _ => {
                reader.invalid(item, "an `extends` entry is a ruleset name or [name, mode]");
                continue;
            }
        };
        match name {
            "spectral:oas" | "spectral:asyncapi" => ruleset.presets.push(match mode {
                "all" => LintPreset::All,
                "off" => LintPreset::Off,
                "recommended" => LintPreset::Recommended,
                other => {
                    reader.invalid(item, format!("`{other}` is not a mode (recommended, all, off)"));
                    continue;
                }
            }),
            other => reader.unsupported(
                item,
                format!("`extends: {other}` is not read: portolan reads the rules of this file and `spectral:oas`/`spectral:asyncapi`, and fetches no ruleset"),
            ),
        }
    }
}

/// The lint rule a Spectral rule name means (portolan code, name or alias).
fn builtin(name: &str) -> Option<&'static Code> {
    codes::find(name).filter(|c| c.code.starts_with('L'))
}

fn read_rules(
    reader: &mut Reader<'_>,
    node: &Node,
    default_formats: Formats,
    ruleset: &mut Ruleset,
) {
    let Some(entries) = node.as_map() else {
        reader.invalid(
            node,
            "`rules` is a mapping from rule name to a severity or a rule",
        );
        return;
    };
    for entry in entries {
        let name = entry.key.as_str();
        let value = &entry.value;
        if value.as_map().is_none() {
            // A severity for a rule that exists.
            let level = match severity(value) {
                Ok(level) => level,
                Err(message) => {
                    reader.invalid(value, message);
                    continue;
                }
            };
            match builtin(name) {
                Some(code) => ruleset
                    .levels
                    .push((code.code, level.map(|l| l.unwrap_or(code.severity)))),
                None => reader.unsupported(
                    value,
                    format!("the rule `{name}` is not one portolan has (`portolan check --explain all` lists them); it is not run"),
                ),
            }
            continue;
        }
        // A rule object: a custom rule (given + then), or a built-in one
        // with only its severity changed.
        let level = match value.get("severity").map(severity) {
            Some(Ok(level)) => level,
            Some(Err(message)) => {
                reader.invalid(value.get("severity").unwrap_or(value), message);
                continue;
            }
            None => match value.get("recommended") {
                Some(n) if n.value == portolan_core::yaml::Value::Bool(false) => None,
                _ => Some(None),
            },
        };
        if value.get("given").is_none() {
            match builtin(name) {
                Some(code) => ruleset
                    .levels
                    .push((code.code, level.map(|l| l.unwrap_or(code.severity)))),
                None => reader.invalid(value, format!("the rule `{name}` has no `given`")),
            }
            continue;
        }
        if let Some(rule) = read_custom(
            reader,
            name,
            value,
            level.map(|l| l.unwrap_or(Severity::Warning)),
            default_formats,
        ) {
            ruleset.custom.push(rule);
        }
    }
}

fn read_custom(
    reader: &mut Reader<'_>,
    name: &str,
    value: &Node,
    severity: Option<Severity>,
    default_formats: Formats,
) -> Option<CustomRule> {
    let given_node = value.get("given")?;
    let Some(given_paths) = strings(given_node) else {
        reader.invalid(given_node, "`given` is a JSONPath or a list of them");
        return None;
    };
    let mut given = Vec::new();
    for path in given_paths {
        match compile_path(path) {
            Ok(p) => given.push(p),
            Err(message) => {
                if message.contains("JavaScript") {
                    reader.unsupported(
                        given_node,
                        format!("the rule `{name}` is not run: {message}"),
                    );
                } else {
                    reader.invalid(given_node, message);
                }
                return None;
            }
        }
    }
    let Some(then_node) = value.get("then") else {
        reader.invalid(value, format!("the rule `{name}` has no `then`"));
        return None;
    };
    let then_nodes: Vec<&Node> = match then_node.as_seq() {
        Some(items) => items.iter().collect(),
        None => vec![then_node],
    };
    let mut then = Vec::new();
    for t in then_nodes {
        let field = match field(t) {
            Ok(f) => f,
            Err(message) => {
                let unsupported = message.contains("JavaScript");
                let at = t.get("field").unwrap_or(t);
                if unsupported {
                    reader.unsupported(at, format!("the rule `{name}` is not run: {message}"));
                } else {
                    reader.invalid(at, message);
                }
                return None;
            }
        };
        match function(t) {
            Ok(function) => then.push(Then { field, function }),
            Err((true, what)) => {
                reader.unsupported(
                    t.get("function").unwrap_or(t),
                    format!("the rule `{name}` is not run: it uses {what}"),
                );
                return None;
            }
            Err((false, message)) => {
                reader.invalid(t, message);
                return None;
            }
        }
    }
    let formats = match value.get("formats").map(formats) {
        Some(Ok(f)) => f,
        Some(Err(message)) => {
            reader.invalid(value.get("formats").unwrap_or(value), message);
            return None;
        }
        None => default_formats,
    };
    Some(CustomRule {
        name: name.to_string(),
        description: value
            .get("description")
            .and_then(Node::as_str)
            .map(str::to_string),
        message: value
            .get("message")
            .and_then(Node::as_str)
            .map(str::to_string),
        severity,
        formats,
        given,
        then,
    })
}

fn read_overrides(reader: &mut Reader<'_>, node: &Node, ruleset: &mut Ruleset) {
    let Some(items) = node.as_seq() else {
        reader.invalid(node, "`overrides` is a list of {files, rules}");
        return;
    };
    for item in items {
        let Some(files) = item.get("files").and_then(strings) else {
            reader.invalid(item, "an override needs `files`: a list of globs");
            continue;
        };
        let mut globs = Vec::new();
        for glob in files {
            // `file#/pointer`: the findings at or under that node only.
            let (pattern, pointer) = portolan_core::config::split_override_target(glob);
            if pointer
                .as_deref()
                .is_some_and(|p| !(p.is_empty() || p.starts_with('/')))
            {
                reader.invalid(
                    item.get("files").unwrap_or(item),
                    format!("`{glob}`: after `#` comes a JSON pointer (`#/paths/~1orders`)"),
                );
                continue;
            }
            if let Err(e) = globset::Glob::new(pattern) {
                reader.invalid(
                    item.get("files").unwrap_or(item),
                    format!("`{glob}` is not a glob: {}", e.kind()),
                );
                continue;
            }
            globs.push(glob.to_string());
        }
        let mut levels = Vec::new();
        if let Some(rules) = item.get("rules").and_then(Node::as_map) {
            for entry in rules {
                match severity(&entry.value) {
                    Ok(level) => {
                        let key = builtin(&entry.key)
                            .map_or_else(|| entry.key.clone(), |c| c.code.to_string());
                        let level = level.map(|l| {
                            l.unwrap_or(
                                builtin(&entry.key).map_or(Severity::Warning, |c| c.severity),
                            )
                        });
                        levels.push((key, level));
                    }
                    Err(message) => reader.invalid(&entry.value, message),
                }
            }
        }
        if item.get("extends").is_some() {
            reader.unsupported(item, "`extends` inside an override is not read");
        }
        if !globs.is_empty() {
            ruleset.overrides.push(RulesetOverride { globs, levels });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spectral_paths_become_rfc_9535() {
        let ok = |p: &str| spectral_path(p).unwrap();
        assert_eq!(ok("$.info"), "$.info");
        assert_eq!(
            ok("$.paths[*][get,put,post]"),
            "$.paths[*]['get','put','post']"
        );
        assert_eq!(
            ok("$..parameters[?(@.in === 'query')]"),
            "$..parameters[?@.in == 'query']"
        );
        assert_eq!(ok("$.info.x-logo"), "$.info['x-logo']");
        assert_eq!(ok("$.servers[0].url"), "$.servers[0].url");
        assert_eq!(ok("$..['x-internal']"), "$..['x-internal']");
        assert_eq!(ok("$.paths.*"), "$.paths.*");
        assert!(spectral_path("$.paths[*]~").is_err());
        assert!(
            spectral_path("$.paths[?(@property === 'get')]")
                .unwrap_err()
                .contains("JavaScript")
        );
        assert!(spectral_path("info").is_err());
        for p in [
            "$.paths[*][get,put,post]",
            "$..parameters[?(@.in === 'query')]",
            "$.info.x-logo",
        ] {
            assert!(compile_path(p).is_ok(), "{p}");
        }
    }

    #[test]
    fn regexes_in_javascript_form() {
        assert!(regex("/^[a-z]+$/i").unwrap().is_match("ABC"));
        assert!(regex("^[a-z]+$").unwrap().is_match("abc"));
        assert!(regex("(").is_err());
    }
}
