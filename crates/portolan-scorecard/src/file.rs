//! Scorecard files: discovered under the scorecards folder, read through
//! the catalog's [`Source`] (so `--rev` and bare repositories work),
//! parsed with the spanned YAML reader and validated into [`Scorecard`]s,
//! every problem an S001 finding at file:line:col.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use jsonschema::{Draft, Validator};
use portolan_catalog::{EntityKey, EntityRef};
use portolan_core::config::{Config, PolicySelector};
use portolan_core::files::SourceFile;
use portolan_core::source::Source;
use portolan_core::yaml::{Node, Value as YamlValue};
use portolan_core::{Diagnostic, Span, codes};
use serde_json::Value;

use crate::date::Day;
use crate::facts::{FactDef, FactType, find_fact};

/// A validated scorecard.
pub struct Scorecard {
    /// The file name without its extension: how the CLI, gates and
    /// `catalog.json` name the scorecard.
    pub id: String,
    pub file: String,
    pub name: String,
    pub description: String,
    pub selector: PolicySelector,
    /// Lowest first.
    pub levels: Vec<String>,
    pub rules: Vec<Rule>,
    pub waivers: Vec<Waiver>,
    /// Indexes of `waivers` by the entity they name: an entity's are found
    /// without scanning every waiver (a file of many waivers on a large
    /// catalog would otherwise cost waivers × entities).
    pub waivers_by_entity: HashMap<EntityKey, Vec<usize>>,
}

impl Scorecard {
    /// The index of level `name` (case-insensitive).
    pub fn level_index(&self, name: &str) -> Option<usize> {
        self.levels
            .iter()
            .position(|l| l.eq_ignore_ascii_case(name))
    }
}

pub struct Rule {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    /// Index into the scorecard's levels.
    pub level: usize,
    /// The rule applies only to entities this selects (none: all the
    /// scorecard applies to).
    pub selector: Option<PolicySelector>,
    /// Before this day a failing rule is pending: shown, not counted.
    pub enforce_from: Option<Day>,
    pub check: RuleCheck,
    pub span: Span,
}

/// What a rule checks.
pub enum RuleCheck {
    /// A built-in fact compared with a value.
    Fact {
        fact: &'static FactDef,
        /// The fact's index in [`crate::facts::FACTS`].
        index: usize,
        op: Op,
        value: Value,
        /// `matches`: the compiled pattern.
        pattern: Option<regex::Regex>,
    },
    /// A JSON Schema over `{entity, facts}`, and what part of that
    /// document it can see.
    Schema {
        validator: Box<Validator>,
        reads: crate::projection::Projection,
    },
    /// A `[[policies]]` entry, by code: passes when it finds nothing.
    Policy(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Gte,
    Lt,
    Lte,
    Exists,
    In,
    Matches,
    Contains,
}

impl Op {
    pub const ALL: &[(&'static str, Op)] = &[
        ("eq", Op::Eq),
        ("ne", Op::Ne),
        ("gt", Op::Gt),
        ("gte", Op::Gte),
        ("lt", Op::Lt),
        ("lte", Op::Lte),
        ("exists", Op::Exists),
        ("in", Op::In),
        ("matches", Op::Matches),
        ("contains", Op::Contains),
    ];

    pub fn as_str(self) -> &'static str {
        Op::ALL
            .iter()
            .find(|(_, op)| *op == self)
            .map_or("?", |(name, _)| name)
    }
}

pub struct Waiver {
    pub entity: EntityRef,
    /// Index into the scorecard's rules.
    pub rule: usize,
    pub reason: String,
    /// The last day the waiver exempts.
    pub expires: Day,
    pub span: Span,
}

/// The scorecards of a catalog, the files they were read from (for code
/// frames) and the findings of reading them.
#[derive(Default)]
pub struct LoadedScorecards {
    pub scorecards: Vec<Scorecard>,
    pub files: Vec<Arc<SourceFile>>,
    pub diagnostics: Vec<Diagnostic>,
    /// Ids of the scorecard files that could not be read or validated.
    pub failed: Vec<String>,
    /// Where each `[[scorecards.gates]]` entry names its scorecard and
    /// its level in portolan.toml (empty when the configuration did not
    /// come from the catalog's portolan.toml; the file is in `files`).
    pub gate_spans: Vec<GateSpans>,
}

/// Where a gate's `scorecard` and `level` values are.
pub type GateSpans = (Span, Span);

/// The spans of the gates' `scorecard` and `level` values in the
/// catalog's portolan.toml, when its gates are the ones `config` holds
/// (`--config` may name another file).
fn gate_spans(source: &dyn Source, config: &Config) -> Option<(Arc<SourceFile>, Vec<GateSpans>)> {
    #[derive(serde::Deserialize)]
    struct Root {
        scorecards: Option<Section>,
    }
    #[derive(serde::Deserialize)]
    struct Section {
        #[serde(default)]
        gates: Vec<Gate>,
    }
    #[derive(serde::Deserialize)]
    struct Gate {
        scorecard: toml::Spanned<String>,
        level: toml::Spanned<String>,
    }
    let config_file = portolan_core::config::CONFIG_FILE;
    let bytes = source.read(config_file, config.limits.max_file_size).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let root: Root = toml::from_str(&text).ok()?;
    let gates = root.scorecards?.gates;
    let same = gates.len() == config.scorecards.gates.len()
        && gates
            .iter()
            .zip(&config.scorecards.gates)
            .all(|(spanned, gate)| {
                spanned.scorecard.get_ref() == &gate.scorecard
                    && spanned.level.get_ref() == &gate.level
            });
    if !same {
        return None;
    }
    let span = |s: std::ops::Range<usize>| Span::new(s.start, s.end);
    let spans = gates
        .iter()
        .map(|g| (span(g.scorecard.span()), span(g.level.span())))
        .collect();
    Some((Arc::new(SourceFile::new(config_file, text)), spans))
}

/// The scorecard files under `config.scorecards.dir` among `files` (the
/// catalog's, sorted), in that order.
pub fn scorecard_paths(files: &[String], config: &Config) -> Result<Vec<String>, String> {
    let dir = portolan_core::paths::join_normalized("", &config.scorecards.dir)
        .map_err(|e| format!("[scorecards] dir `{}`: {e}", config.scorecards.dir))?;
    let prefix = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    Ok(files
        .iter()
        .filter(|f| f.starts_with(&prefix) && (f.ends_with(".yaml") || f.ends_with(".yml")))
        .cloned()
        .collect())
}

/// Read and validate every scorecard file of the catalog, whose files are
/// `files` (sorted). `policy_codes`: the codes of the `[[policies]]` a
/// rule may name.
pub fn load_scorecards(
    source: &dyn Source,
    files: &[String],
    config: &Config,
    policy_codes: &BTreeSet<String>,
) -> LoadedScorecards {
    let mut loaded = LoadedScorecards::default();
    if !config.scorecards.gates.is_empty()
        && let Some((file, spans)) = gate_spans(source, config)
    {
        loaded.files.push(file);
        loaded.gate_spans = spans;
    }
    let paths = match scorecard_paths(files, config) {
        Ok(paths) => paths,
        Err(message) => {
            loaded.diagnostics.push(
                Diagnostic::new(&codes::SCORECARD_INVALID, message)
                    .in_file(portolan_core::config::CONFIG_FILE),
            );
            return loaded;
        }
    };
    let mut ids = BTreeSet::new();
    for path in paths {
        let bytes = match source.read(&path, config.limits.max_file_size) {
            Ok(bytes) => bytes,
            Err(err) => {
                loaded.diagnostics.push(
                    Diagnostic::new(&codes::READ_FAILED, format!("cannot read {path}: {err}"))
                        .in_file(&path),
                );
                continue;
            }
        };
        let Ok(text) = String::from_utf8(bytes) else {
            loaded.diagnostics.push(
                Diagnostic::new(&codes::INVALID_UTF8, format!("{path} is not UTF-8"))
                    .in_file(&path),
            );
            continue;
        };
        let file = Arc::new(SourceFile::new(&path, text));
        let before = loaded.diagnostics.len();
        let documents =
            portolan_core::parse::parse_file(&file, config.limits.yaml(), &mut loaded.diagnostics);
        let mut documents = documents.into_iter().filter(|d| !d.is_empty);
        let parse_failed = loaded.diagnostics.len() > before;
        let id = path
            .rsplit('/')
            .next()
            .unwrap_or(&path)
            .trim_end_matches(".yaml")
            .trim_end_matches(".yml")
            .to_string();
        match documents.next() {
            None if !parse_failed => {
                loaded.diagnostics.push(
                    Diagnostic::new(&codes::SCORECARD_INVALID, "the scorecard file is empty")
                        .at(&path, Span::at(0)),
                );
                loaded.failed.push(id);
            }
            None => loaded.failed.push(id),
            Some(document) => {
                let mut reader = Reader {
                    file: &path,
                    diagnostics: Vec::new(),
                };
                if let Some(extra) = documents.next() {
                    reader.error(
                        extra.root.span,
                        "a scorecard file holds one YAML document; this is a second one",
                    );
                }
                if !ids.insert(id.to_ascii_lowercase()) {
                    reader.error(
                        Span::at(0),
                        format!("another scorecard file is also named `{id}` (ids are file names, compared case-insensitively)"),
                    );
                }
                let scorecard = reader.scorecard(&document.root, &id, policy_codes);
                match scorecard {
                    Some(scorecard) if reader.diagnostics.is_empty() && !parse_failed => {
                        loaded.scorecards.push(scorecard);
                    }
                    _ => loaded.failed.push(id),
                }
                loaded.diagnostics.extend(reader.diagnostics);
            }
        }
        loaded.files.push(file);
    }
    loaded
}

struct Reader<'a> {
    file: &'a str,
    diagnostics: Vec<Diagnostic>,
}

const SCORECARD_KEYS: &[&str] = &[
    "name",
    "description",
    "selector",
    "levels",
    "rules",
    "waivers",
];
const RULE_KEYS: &[&str] = &[
    "id",
    "title",
    "description",
    "level",
    "selector",
    "enforceFrom",
    "fact",
    "op",
    "value",
    "schema",
    "policy",
];
const WAIVER_KEYS: &[&str] = &["entity", "rule", "reason", "expires"];
const SELECTOR_KEYS: &[&str] = &["kind", "type", "lifecycle", "tag"];

impl Reader<'_> {
    fn error(&mut self, span: Span, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::new(&codes::SCORECARD_INVALID, message).at(self.file, span));
    }

    /// The entries of a mapping node, every key checked against `allowed`.
    fn mapping<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
        allowed: &[&str],
    ) -> Option<&'n [portolan_core::yaml::Entry]> {
        let Some(entries) = node.as_map() else {
            self.error(
                node.span,
                format!("{what} must be a mapping, not {}", node.type_name()),
            );
            return None;
        };
        for entry in entries {
            if !allowed.contains(&entry.key.as_str()) {
                self.error(
                    entry.key_span,
                    format!(
                        "unknown field `{}` in {what}; expected one of: {}",
                        entry.key,
                        allowed.join(", ")
                    ),
                );
            }
        }
        Some(entries)
    }

    fn string(&mut self, node: &Node, field: &str) -> Option<String> {
        match node.as_str() {
            Some(s) if !s.trim().is_empty() => Some(s.to_string()),
            Some(_) => {
                self.error(node.span, format!("`{field}` must not be empty"));
                None
            }
            None => {
                self.error(
                    node.span,
                    format!("`{field}` must be a string, not {}", node.type_name()),
                );
                None
            }
        }
    }

    fn required<'n>(&mut self, parent: &'n Node, field: &str, what: &str) -> Option<&'n Node> {
        let node = parent.get(field);
        if node.is_none() {
            self.error(parent.span, format!("{what} has no `{field}`"));
        }
        node
    }

    fn date(&mut self, node: &Node, field: &str) -> Option<Day> {
        let text = self.string(node, field)?;
        let day = Day::parse(&text);
        if day.is_none() {
            self.error(
                node.span,
                format!("`{field}` must be a date written YYYY-MM-DD, not `{text}`"),
            );
        }
        day
    }

    fn selector(&mut self, node: &Node) -> PolicySelector {
        let mut selector = PolicySelector::default();
        let Some(entries) = self.mapping(node, "a selector", SELECTOR_KEYS) else {
            return selector;
        };
        for entry in entries {
            let value = self.string(&entry.value, &entry.key);
            match entry.key.as_str() {
                "kind" => selector.kind = value,
                "type" => selector.spec_type = value,
                "lifecycle" => selector.lifecycle = value,
                "tag" => selector.tag = value,
                _ => {}
            }
        }
        selector
    }

    fn scorecard(
        &mut self,
        root: &Node,
        id: &str,
        policy_codes: &BTreeSet<String>,
    ) -> Option<Scorecard> {
        self.mapping(root, "a scorecard", SCORECARD_KEYS)?;
        let name = self
            .required(root, "name", "the scorecard")
            .and_then(|n| self.string(n, "name"));
        let description = root
            .get("description")
            .and_then(|n| self.string(n, "description"))
            .unwrap_or_default();
        let selector = root
            .get("selector")
            .map(|n| self.selector(n))
            .unwrap_or_default();
        let mut levels: Vec<String> = Vec::new();
        if let Some(node) = self.required(root, "levels", "the scorecard") {
            match node.as_seq() {
                Some([]) => self.error(node.span, "`levels` must name at least one level"),
                Some(items) => {
                    for item in items {
                        if let Some(level) = self.string(item, "levels") {
                            if levels.iter().any(|l| l.eq_ignore_ascii_case(&level)) {
                                self.error(item.span, format!("level `{level}` is listed twice"));
                            }
                            levels.push(level);
                        }
                    }
                }
                None => self.error(
                    node.span,
                    format!(
                        "`levels` must be a list of level names, lowest first, not {}",
                        node.type_name()
                    ),
                ),
            }
        }
        let mut rules: Vec<Rule> = Vec::new();
        if let Some(node) = self.required(root, "rules", "the scorecard") {
            match node.as_seq() {
                Some(items) => {
                    for item in items {
                        if let Some(rule) = self.rule(item, &levels, policy_codes) {
                            if rules.iter().any(|r| r.id == rule.id) {
                                self.error(
                                    item.get("id").map_or(item.span, |n| n.span),
                                    format!("rule id `{}` is used twice", rule.id),
                                );
                            }
                            rules.push(rule);
                        }
                    }
                }
                None => self.error(
                    node.span,
                    format!("`rules` must be a list, not {}", node.type_name()),
                ),
            }
        }
        let mut waivers = Vec::new();
        if let Some(node) = root.get("waivers") {
            match node.as_seq() {
                Some(items) => {
                    for item in items {
                        waivers.extend(self.waiver(item, &rules));
                    }
                }
                None => self.error(
                    node.span,
                    format!("`waivers` must be a list, not {}", node.type_name()),
                ),
            }
        }
        let mut waivers_by_entity: HashMap<EntityKey, Vec<usize>> = HashMap::new();
        for (index, waiver) in waivers.iter().enumerate() {
            waivers_by_entity
                .entry(waiver.entity.key())
                .or_default()
                .push(index);
        }
        Some(Scorecard {
            waivers_by_entity,
            id: id.to_string(),
            file: self.file.to_string(),
            name: name?,
            description,
            selector,
            levels,
            rules,
            waivers,
        })
    }

    fn rule(
        &mut self,
        node: &Node,
        levels: &[String],
        policy_codes: &BTreeSet<String>,
    ) -> Option<Rule> {
        self.mapping(node, "a rule", RULE_KEYS)?;
        let id = self.required(node, "id", "the rule").and_then(|n| {
            let id = self.string(n, "id")?;
            if !id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            {
                self.error(
                    n.span,
                    format!("rule id `{id}` may hold only letters, digits, `-`, `_` and `.`"),
                );
                return None;
            }
            Some(id)
        });
        let level = self.required(node, "level", "the rule").and_then(|n| {
            let name = self.string(n, "level")?;
            let index = levels.iter().position(|l| l.eq_ignore_ascii_case(&name));
            if index.is_none() && !levels.is_empty() {
                self.error(
                    n.span,
                    format!(
                        "level `{name}` is not one of the scorecard's levels ({})",
                        levels.join(", ")
                    ),
                );
            }
            index
        });
        let title = node.get("title").and_then(|n| self.string(n, "title"));
        let description = node
            .get("description")
            .and_then(|n| self.string(n, "description"));
        let selector = node.get("selector").map(|n| self.selector(n));
        let enforce_from = match node.get("enforceFrom") {
            Some(n) => Some(self.date(n, "enforceFrom")?),
            None => None,
        };
        let kinds: Vec<&str> = ["fact", "schema", "policy"]
            .into_iter()
            .filter(|k| node.get(k).is_some())
            .collect();
        if kinds.len() != 1 {
            self.error(
                node.span,
                if kinds.is_empty() {
                    "a rule needs one check: `fact` (with `op` and `value`), `schema` or `policy`"
                        .to_string()
                } else {
                    format!("a rule has one check; this one has {}", kinds.join(" and "))
                },
            );
            return None;
        }
        if kinds[0] != "fact" {
            for key in ["op", "value"] {
                if let Some(entry) = node.entry(key) {
                    self.error(
                        entry.key_span,
                        format!("`{key}` belongs with `fact`, not `{}`", kinds[0]),
                    );
                }
            }
        }
        let check = match kinds[0] {
            "fact" => self.fact_check(node)?,
            "schema" => {
                let schema = node.get("schema")?;
                if !matches!(schema.value, YamlValue::Map(_) | YamlValue::Bool(_)) {
                    self.error(schema.span, "`schema` must be a JSON Schema (a mapping)");
                    return None;
                }
                let json = schema.to_json();
                match jsonschema::options()
                    .with_draft(Draft::Draft202012)
                    .build(&json)
                {
                    Ok(validator) => RuleCheck::Schema {
                        validator: Box::new(validator),
                        reads: crate::projection::Projection::of_root_schema(&json),
                    },
                    Err(e) => {
                        self.error(
                            schema.span,
                            format!("`schema` is not a valid JSON Schema: {e}"),
                        );
                        return None;
                    }
                }
            }
            _ => {
                let policy = node.get("policy")?;
                let code = self.string(policy, "policy")?;
                if !policy_codes.contains(&code) {
                    self.error(
                        policy.span,
                        format!("no `[[policies]]` entry of portolan.toml has the code `{code}`"),
                    );
                    return None;
                }
                RuleCheck::Policy(code)
            }
        };
        let id = id?;
        Some(Rule {
            title: title.unwrap_or_else(|| id.clone()),
            id,
            description,
            level: level?,
            selector,
            enforce_from,
            check,
            span: node.span,
        })
    }

    fn fact_check(&mut self, node: &Node) -> Option<RuleCheck> {
        let fact_node = node.get("fact")?;
        let name = self.string(fact_node, "fact")?;
        let Some(fact) = find_fact(&name) else {
            // "Did you mean": linear in the name's length per fact.
            let suggestion = crate::facts::FACTS
                .iter()
                .map(|f| (strsim::levenshtein(f.name, &name), f.name))
                .min()
                .filter(|(d, _)| *d <= 3)
                .map(|(_, n)| format!(" (did you mean `{n}`?)"))
                .unwrap_or_default();
            self.error(fact_node.span, format!("unknown fact `{name}`{suggestion}; `portolan scorecard --list-facts` lists them"));
            return None;
        };
        let op = match node.get("op") {
            None => Op::Eq,
            Some(op_node) => {
                let text = self.string(op_node, "op")?;
                match Op::ALL.iter().find(|(n, _)| *n == text) {
                    Some((_, op)) => *op,
                    None => {
                        let names: Vec<&str> = Op::ALL.iter().map(|(n, _)| *n).collect();
                        self.error(
                            op_node.span,
                            format!("unknown op `{text}`; expected one of: {}", names.join(", ")),
                        );
                        return None;
                    }
                }
            }
        };
        let value_node = node.get("value");
        let value = match (value_node, op) {
            (Some(n), _) => n.to_json(),
            (None, Op::Exists) => Value::Bool(true),
            (None, _) => {
                self.error(
                    node.span,
                    format!(
                        "the rule compares `{name}` with `{}` but has no `value`",
                        op.as_str()
                    ),
                );
                return None;
            }
        };
        let span = value_node.map_or(node.span, |n| n.span);
        let ty = fact.ty;
        let mismatch = |expected: &str| {
            format!(
                "`{}` on the {} fact `{name}` needs {expected}",
                op.as_str(),
                ty.as_str()
            )
        };
        let problem = match op {
            Op::Eq | Op::Ne if !ty.admits(&value) => {
                Some(mismatch(&format!("a {} value", ty.as_str())))
            }
            Op::Gt | Op::Gte | Op::Lt | Op::Lte if ty != FactType::Number || !value.is_number() => {
                Some(mismatch("a number fact and a number value"))
            }
            Op::Exists if !value.is_boolean() => Some(mismatch("`value: true` or `value: false`")),
            Op::In => match &value {
                Value::Array(items)
                    if ty != FactType::List && items.iter().all(|v| ty.admits(v)) =>
                {
                    None
                }
                _ => Some(mismatch(&format!("a list of {} values", ty.as_str()))),
            },
            Op::Matches if ty != FactType::String || !value.is_string() => {
                Some(mismatch("a string fact and a pattern"))
            }
            Op::Contains if ty != FactType::List || !value.is_string() => {
                Some(mismatch("a list fact and a string value"))
            }
            _ => None,
        };
        if let Some(problem) = problem {
            self.error(span, problem);
            return None;
        }
        let pattern = match (op, &value) {
            (Op::Matches, Value::String(text)) => {
                match regex::RegexBuilder::new(text).size_limit(1 << 20).build() {
                    Ok(regex) => Some(regex),
                    Err(e) => {
                        // The parser's message draws a caret under the
                        // pattern over several lines; its last line says
                        // what is wrong.
                        let message = e.to_string();
                        let reason = message.lines().last().unwrap_or_default();
                        let reason = reason.strip_prefix("error: ").unwrap_or(reason);
                        self.error(span, format!("`{text}` is not a valid pattern: {reason}"));
                        return None;
                    }
                }
            }
            _ => None,
        };
        Some(RuleCheck::Fact {
            fact,
            index: crate::facts::fact_index(fact.name)?,
            op,
            value,
            pattern,
        })
    }

    fn waiver(&mut self, node: &Node, rules: &[Rule]) -> Option<Waiver> {
        self.mapping(node, "a waiver", WAIVER_KEYS)?;
        let entity = self.required(node, "entity", "the waiver").and_then(|n| {
            let text = self.string(n, "entity")?;
            match EntityRef::parse(
                &text,
                Some("Component"),
                portolan_catalog::entity_ref::DEFAULT_NAMESPACE,
            ) {
                Ok(r) => Some(r),
                Err(e) => {
                    self.error(n.span, format!("`{text}` is not an entity ref: {e}"));
                    None
                }
            }
        });
        let rule = self.required(node, "rule", "the waiver").and_then(|n| {
            let id = self.string(n, "rule")?;
            let index = rules.iter().position(|r| r.id == id);
            if index.is_none() {
                self.error(n.span, format!("the scorecard has no rule `{id}`"));
            }
            index
        });
        let reason = self
            .required(node, "reason", "the waiver")
            .and_then(|n| self.string(n, "reason"));
        let expires = self
            .required(
                node,
                "expires",
                "the waiver (every waiver ends, so it is reviewed again)",
            )
            .and_then(|n| self.date(n, "expires"));
        Some(Waiver {
            entity: entity?,
            rule: rule?,
            reason: reason?,
            expires: expires?,
            span: node.span,
        })
    }
}
