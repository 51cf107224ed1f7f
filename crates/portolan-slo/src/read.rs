//! Each format's documents to [`Slo`]s: schema first (O001), then what a
//! schema cannot say: objectives in range (O002), windows and budgeting
//! (O003), references between OpenSLO objects (O004).

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use jsonschema::Validator;
use portolan_core::files::SourceFile;
use portolan_core::yaml::Node;
use portolan_core::{Diagnostic, codes};

use crate::window::{self, alpha_window, parse_duration};
use crate::{Alert, Indicator, Objective, Query, Slo, Window};

pub const SLOTH_VERSION: &str = "prometheus/v1";
pub const SLOTH_K8S: &str = "sloth.slok.dev/v1";

const OPENSLO_V1: &str = include_str!("../../../catalog-schema/slo/openslo-v1.schema.json");
const OPENSLO_V1ALPHA: &str =
    include_str!("../../../catalog-schema/slo/openslo-v1alpha.schema.json");
const SLOTH: &str = include_str!("../../../catalog-schema/slo/sloth-prometheus-v1.schema.json");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    V1,
    V1Alpha,
    Sloth,
    /// Sloth's Kubernetes form: the same content under `spec`.
    SlothK8s,
}

fn validator(format: Format) -> &'static Validator {
    static COMPILED: OnceLock<[Validator; 3]> = OnceLock::new();
    let compiled = COMPILED.get_or_init(|| {
        let compile = |text: &str| {
            let schema: serde_json::Value =
                serde_json::from_str(text).expect("the SLO schemas are JSON");
            jsonschema::options()
                .with_draft(jsonschema::Draft::Draft202012)
                .build(&schema)
                .expect("the SLO schemas compile")
        };
        [
            compile(OPENSLO_V1),
            compile(OPENSLO_V1ALPHA),
            compile(SLOTH),
        ]
    });
    match format {
        Format::V1 => &compiled[0],
        Format::V1Alpha => &compiled[1],
        Format::Sloth | Format::SlothK8s => &compiled[2],
    }
}

fn format_of(root: &Node) -> Option<Format> {
    if let Some(api_version) = root.get("apiVersion").and_then(Node::as_str) {
        return match api_version {
            "openslo/v1" => Some(Format::V1),
            "openslo/v1alpha" => Some(Format::V1Alpha),
            SLOTH_K8S => Some(Format::SlothK8s),
            _ => None,
        };
    }
    (root.get("version").and_then(Node::as_str) == Some(SLOTH_VERSION)).then_some(Format::Sloth)
}

/// One document being read: where it is, and where its findings go.
#[derive(Clone, Copy)]
struct Doc<'a> {
    file: &'a Arc<SourceFile>,
    root: &'a Node,
    format: Format,
    /// Findings of O001–O004 make the document's SLOs invalid.
    failed: bool,
}

impl<'a> Doc<'a> {
    fn report(
        &mut self,
        code: &'static codes::Code,
        pointer: &str,
        message: impl Into<String>,
        out: &mut Vec<Diagnostic>,
    ) {
        if code.severity == portolan_core::Severity::Error {
            self.failed = true;
        }
        out.push(Diagnostic::new(code, message).at(&self.file.path, self.root.locate(pointer)));
    }

    fn str_at(&self, pointer: &str) -> Option<&'a str> {
        self.root.pointer(pointer).and_then(Node::as_str)
    }

    fn line(&self, pointer: &str) -> usize {
        let span = self.root.locate(pointer);
        self.file.line_col(span.start).line as usize
    }
}

fn number(node: Option<&Node>) -> Option<f64> {
    match node?.value {
        portolan_core::yaml::Value::Int(i) => Some(i as f64),
        portolan_core::yaml::Value::Float(f) if f.is_finite() => Some(f),
        _ => None,
    }
}

/// OpenSLO v1 objects by kind and name, for references.
#[derive(Default)]
struct Names<'a> {
    by_kind: HashMap<(&'a str, &'a str), usize>,
}

impl Names<'_> {
    fn has(&self, kind: &str, name: &str) -> bool {
        self.by_kind.contains_key(&(kind, name))
    }
}

/// Read every SLO of `documents` (each with its file), reporting into
/// `out`.
pub fn read_all(documents: &[(Arc<SourceFile>, Node)], out: &mut Vec<Diagnostic>) -> Vec<Slo> {
    let mut docs: Vec<Doc<'_>> = Vec::new();
    for (file, root) in documents {
        let Some(format) = format_of(root) else {
            continue;
        };
        let mut doc = Doc {
            file,
            root,
            format,
            failed: false,
        };
        validate(&mut doc, out);
        docs.push(doc);
    }
    // OpenSLO v1 names, per kind (the first definition counts).
    let mut names = Names::default();
    for (index, doc) in docs.iter().enumerate() {
        if doc.format != Format::V1 {
            continue;
        }
        let (Some(kind), Some(name)) = (doc.str_at("/kind"), doc.str_at("/metadata/name")) else {
            continue;
        };
        names.by_kind.entry((kind, name)).or_insert(index);
    }
    let mut duplicates = Vec::new();
    for (index, doc) in docs.iter().enumerate() {
        if doc.format != Format::V1 {
            continue;
        }
        if let (Some(kind), Some(name)) = (doc.str_at("/kind"), doc.str_at("/metadata/name"))
            && names.by_kind.get(&(kind, name)) != Some(&index)
        {
            let first = &docs[names.by_kind[&(kind, name)]];
            duplicates.push((
                index,
                format!(
                    "{kind} `{name}` is defined twice (first in {}:{})",
                    first.file.path,
                    first.line("/metadata/name")
                ),
            ));
        }
    }
    for (index, message) in duplicates {
        docs[index].report(&codes::SLO_INVALID, "/metadata/name", message, out);
    }
    let mut slos = Vec::new();
    for index in 0..docs.len() {
        let start = slos.len();
        // A copy to report on while the others are read (references).
        let mut doc = docs[index];
        match (doc.format, doc.str_at("/kind")) {
            (Format::V1, Some("SLO")) => slos.extend(read_v1(&mut doc, &docs, &names, out)),
            (Format::V1, _) => check_v1_references(&mut doc, &names, out),
            (Format::V1Alpha, Some("SLO")) => slos.extend(read_v1alpha(&mut doc, out)),
            (Format::V1Alpha, _) => {}
            (Format::Sloth | Format::SlothK8s, _) => slos.extend(read_sloth(&mut doc, out)),
        }
        docs[index].failed = doc.failed;
        for slo in &mut slos[start..] {
            slo.valid = !doc.failed;
        }
    }
    slos
}

fn validate(doc: &mut Doc<'_>, out: &mut Vec<Diagnostic>) {
    let json = doc.root.to_json();
    let (instance, prefix) = match doc.format {
        Format::SlothK8s => {
            if doc.str_at("/kind") != Some("PrometheusServiceLevel") {
                doc.report(
                    &codes::SLO_INVALID,
                    "/kind",
                    format!("{SLOTH_K8S} documents are of kind `PrometheusServiceLevel`"),
                    out,
                );
                return;
            }
            let mut spec = json.get("spec").cloned().unwrap_or(serde_json::Value::Null);
            if let serde_json::Value::Object(map) = &mut spec {
                map.insert("version".into(), SLOTH_VERSION.into());
            } else {
                doc.report(
                    &codes::SLO_INVALID,
                    "",
                    "a PrometheusServiceLevel needs a `spec` mapping with `service` and `slos`",
                    out,
                );
                return;
            }
            (spec, "/spec")
        }
        _ => (json, ""),
    };
    let findings = portolan_core::schema_error::describe_errors_in(
        validator(doc.format),
        &instance,
        "the document",
    );
    for finding in findings {
        let pointer = format!("{prefix}{}", finding.pointer);
        doc.report(&codes::SLO_INVALID, &pointer, finding.message, out);
    }
}

/// An objective's percentage from a ratio or a percentage field, checked.
fn objective_percent(
    doc: &mut Doc<'_>,
    pointer: &str,
    value: f64,
    ratio: bool,
    out: &mut Vec<Diagnostic>,
) -> Option<f64> {
    let percent = if ratio { value * 100.0 } else { value };
    if percent > 0.0 && percent < 100.0 {
        return Some(window::round(percent));
    }
    let message = if ratio && value > 1.0 && value < 100.0 {
        format!(
            "`target` is a ratio between 0 and 1, not {value}: did you mean {}? (or `targetPercent: {value}`)",
            window::round(value / 100.0)
        )
    } else if percent >= 100.0 {
        format!(
            "an objective of {}% leaves no error budget at all",
            window::round(percent)
        )
    } else {
        format!(
            "an objective of {}% promises nothing",
            window::round(percent)
        )
    };
    doc.report(&codes::SLO_OBJECTIVE_RANGE, pointer, message, out);
    None
}

fn objectives_with_budget(
    objectives: Vec<(Option<String>, f64)>,
    window: Option<&Window>,
) -> Vec<Objective> {
    objectives
        .into_iter()
        .map(|(name, percent)| {
            let budget_minutes = window.map(|w| window::budget_minutes(percent, w.minutes));
            Objective {
                name,
                percent,
                budget_minutes,
                budget: budget_minutes.map(window::human_minutes),
            }
        })
        .collect()
}

/// The query text of an OpenSLO metric source: its `spec.query` (or
/// `promql`, ...) when there is one, else the whole spec as JSON.
fn metric_query(source: &Node) -> String {
    let spec = source.get("spec");
    for key in [
        "query",
        "promql",
        "nrql",
        "queryString",
        "expression",
        "metric",
    ] {
        if let Some(text) = spec.and_then(|s| s.get(key)).and_then(Node::as_str) {
            return text.to_string();
        }
    }
    spec.map(|s| s.to_json().to_string()).unwrap_or_default()
}

/// The indicator an OpenSLO v1 SLI spec describes.
fn v1_indicator(spec: &Node) -> Option<Indicator> {
    let source_of = |metric: &Node| -> Option<String> {
        let source = metric.get("metricSource")?;
        source
            .get("type")
            .or_else(|| source.get("metricSourceRef"))
            .and_then(Node::as_str)
            .map(str::to_string)
    };
    if let Some(metric) = spec.get("thresholdMetric") {
        return Some(Indicator {
            kind: "threshold".into(),
            source: source_of(metric),
            queries: metric
                .get("metricSource")
                .map(|s| Query {
                    label: "threshold".into(),
                    text: metric_query(s),
                })
                .into_iter()
                .collect(),
        });
    }
    let ratio = spec.get("ratioMetric")?;
    let mut queries = Vec::new();
    let mut source = None;
    for label in ["good", "bad", "total", "raw"] {
        if let Some(metric) = ratio.get(label) {
            source = source.or_else(|| source_of(metric));
            if let Some(s) = metric.get("metricSource") {
                queries.push(Query {
                    label: label.into(),
                    text: metric_query(s),
                });
            }
        }
    }
    Some(Indicator {
        kind: "ratio".into(),
        source,
        queries,
    })
}

/// `metricSourceRef`s of an SLI spec at `pointer` name DataSources.
fn check_metric_sources(
    doc: &mut Doc<'_>,
    pointer: &str,
    names: &Names<'_>,
    out: &mut Vec<Diagnostic>,
) {
    let mut missing = Vec::new();
    if let Some(spec) = doc.root.pointer(pointer) {
        let metrics = [
            ("thresholdMetric", spec.get("thresholdMetric")),
            ("ratioMetric/good", spec.pointer("/ratioMetric/good")),
            ("ratioMetric/bad", spec.pointer("/ratioMetric/bad")),
            ("ratioMetric/total", spec.pointer("/ratioMetric/total")),
            ("ratioMetric/raw", spec.pointer("/ratioMetric/raw")),
        ];
        for (path, metric) in metrics {
            if let Some(name) = metric
                .and_then(|m| m.pointer("/metricSource/metricSourceRef"))
                .and_then(Node::as_str)
                && !names.has("DataSource", name)
            {
                missing.push((
                    format!("{pointer}/{path}/metricSource/metricSourceRef"),
                    name.to_string(),
                ));
            }
        }
    }
    for (at, name) in missing {
        doc.report(
            &codes::SLO_REFERENCE,
            &at,
            format!("no DataSource is named `{name}`"),
            out,
        );
    }
}

/// References held by OpenSLO v1 objects other than SLOs.
fn check_v1_references(doc: &mut Doc<'_>, names: &Names<'_>, out: &mut Vec<Diagnostic>) {
    match doc.str_at("/kind") {
        Some("SLI") => check_metric_sources(doc, "/spec", names, out),
        Some("AlertPolicy") => check_policy_references(doc, "/spec", names, out),
        _ => {}
    }
}

fn check_policy_references(
    doc: &mut Doc<'_>,
    pointer: &str,
    names: &Names<'_>,
    out: &mut Vec<Diagnostic>,
) {
    let mut missing = Vec::new();
    let Some(spec) = doc.root.pointer(pointer) else {
        return;
    };
    for (list, field, kind) in [
        ("conditions", "conditionRef", "AlertCondition"),
        (
            "notificationTargets",
            "targetRef",
            "AlertNotificationTarget",
        ),
    ] {
        for (i, item) in spec
            .get(list)
            .and_then(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            if let Some(name) = item.get(field).and_then(Node::as_str)
                && !names.has(kind, name)
            {
                missing.push((
                    format!("{pointer}/{list}/{i}/{field}"),
                    kind,
                    name.to_string(),
                ));
            }
        }
    }
    for (at, kind, name) in missing {
        doc.report(
            &codes::SLO_REFERENCE,
            &at,
            format!("no {kind} is named `{name}`"),
            out,
        );
    }
}

/// The burn-rate condition of an AlertPolicy (inline or by reference).
fn policy_alert(
    policy: &Node,
    name: &str,
    docs: &[Doc<'_>],
    names: &Names<'_>,
    objective: Option<f64>,
) -> Option<Alert> {
    let condition = policy.pointer("/spec/conditions/0")?;
    let condition_spec = match condition.get("conditionRef").and_then(Node::as_str) {
        Some(reference) => {
            let &index = names.by_kind.get(&("AlertCondition", reference))?;
            docs[index].root.get("spec")?
        }
        None => condition.get("spec")?,
    };
    let burn_rate = number(condition_spec.pointer("/condition/threshold"))?;
    Some(Alert {
        name: name.to_string(),
        severity: condition_spec
            .get("severity")
            .and_then(Node::as_str)
            .map(str::to_string),
        burn_rate,
        lookback: condition_spec
            .pointer("/condition/lookbackWindow")
            .and_then(Node::as_str)
            .map(str::to_string),
        fires_at_error_percent: objective.map(|o| window::burn_rate_error_percent(o, burn_rate)),
    })
}

fn read_v1(
    doc: &mut Doc<'_>,
    docs: &[Doc<'_>],
    names: &Names<'_>,
    out: &mut Vec<Diagnostic>,
) -> Option<Slo> {
    let root = doc.root;
    let name = doc.str_at("/metadata/name")?.to_string();
    let service = doc.str_at("/spec/service").unwrap_or_default().to_string();
    let spec = root.get("spec")?;
    // The window.
    let window = match spec.pointer("/timeWindow/0") {
        None => {
            doc.report(
                &codes::SLO_TIME_WINDOW,
                "/spec",
                "the SLO has no `timeWindow`: its error budget cannot be computed",
                out,
            );
            None
        }
        Some(node) => {
            let text = node
                .get("duration")
                .and_then(Node::as_str)
                .unwrap_or_default();
            match parse_duration(text) {
                Some(minutes) => Some(Window {
                    text: text.to_string(),
                    minutes,
                    rolling: node.get("isRolling").and_then(|n| match n.value {
                        portolan_core::yaml::Value::Bool(b) => Some(b),
                        _ => None,
                    }) != Some(false)
                        && node.get("calendar").is_none(),
                }),
                None => {
                    doc.report(
                        &codes::SLO_TIME_WINDOW,
                        "/spec/timeWindow/0/duration",
                        format!("`{text}` is not a window: write a count and a unit, such as `28d`, `4w` or `1M` (units m, h, d, w, M, Q, Y)"),
                        out,
                    );
                    None
                }
            }
        }
    };
    let budgeting = doc
        .str_at("/spec/budgetingMethod")
        .unwrap_or_default()
        .to_string();
    // Objectives.
    let mut objectives = Vec::new();
    let items = spec.get("objectives").and_then(Node::as_seq).unwrap_or(&[]);
    for (i, item) in items.iter().enumerate() {
        let at = format!("/spec/objectives/{i}");
        let target = number(item.get("target"));
        let percent = number(item.get("targetPercent"));
        let value = match (target, percent) {
            (Some(t), None) => objective_percent(doc, &format!("{at}/target"), t, true, out),
            (None, Some(p)) => {
                objective_percent(doc, &format!("{at}/targetPercent"), p, false, out)
            }
            (Some(_), Some(_)) => {
                doc.report(
                    &codes::SLO_OBJECTIVE_RANGE,
                    &at,
                    "the objective has both `target` and `targetPercent`; keep one",
                    out,
                );
                None
            }
            (None, None) => {
                doc.report(
                    &codes::SLO_OBJECTIVE_RANGE,
                    &at,
                    "the objective has neither `target` (a ratio) nor `targetPercent`",
                    out,
                );
                None
            }
        };
        if budgeting != "Occurrences" {
            check_time_slices(doc, item, &at, &budgeting, true, out);
        }
        if let Some(reference) = item.get("indicatorRef").and_then(Node::as_str)
            && !names.has("SLI", reference)
        {
            doc.report(
                &codes::SLO_REFERENCE,
                &format!("{at}/indicatorRef"),
                format!("no SLI is named `{reference}`"),
                out,
            );
        }
        if let Some(percent) = value {
            let name = item
                .get("displayName")
                .and_then(Node::as_str)
                .map(str::to_string);
            objectives.push((name, percent));
        }
    }
    // The indicator: inline, or an SLI by name.
    let indicator = match (
        spec.get("indicator"),
        spec.get("indicatorRef").and_then(Node::as_str),
    ) {
        (Some(inline), _) => {
            check_metric_sources(doc, "/spec/indicator/spec", names, out);
            inline.get("spec").and_then(v1_indicator)
        }
        (None, Some(reference)) => match names.by_kind.get(&("SLI", reference)) {
            Some(&index) => docs[index].root.get("spec").and_then(v1_indicator),
            None => {
                doc.report(
                    &codes::SLO_REFERENCE,
                    "/spec/indicatorRef",
                    format!("no SLI is named `{reference}`"),
                    out,
                );
                None
            }
        },
        (None, None) => None,
    };
    // Alert policies.
    let first_objective = objectives.first().map(|o| o.1);
    let mut alerts = Vec::new();
    let policies = spec
        .get("alertPolicies")
        .and_then(Node::as_seq)
        .unwrap_or(&[]);
    for (i, item) in policies.iter().enumerate() {
        match item.get("alertPolicyRef").and_then(Node::as_str) {
            Some(reference) => match names.by_kind.get(&("AlertPolicy", reference)) {
                Some(&index) => alerts.extend(policy_alert(
                    docs[index].root,
                    reference,
                    docs,
                    names,
                    first_objective,
                )),
                None => doc.report(
                    &codes::SLO_REFERENCE,
                    &format!("/spec/alertPolicies/{i}/alertPolicyRef"),
                    format!("no AlertPolicy is named `{reference}`"),
                    out,
                ),
            },
            None => {
                check_policy_references(doc, &format!("/spec/alertPolicies/{i}/spec"), names, out);
                let policy_name = item
                    .pointer("/metadata/name")
                    .and_then(Node::as_str)
                    .unwrap_or("alert");
                alerts.extend(policy_alert(
                    item,
                    policy_name,
                    docs,
                    names,
                    first_objective,
                ));
            }
        }
    }
    let line = doc.line("/metadata/name");
    Some(Slo {
        display_name: doc.str_at("/metadata/displayName").map(str::to_string),
        description: doc.str_at("/spec/description").map(str::to_string),
        format: "openslo/v1",
        file: doc.file.path.clone(),
        line,
        service,
        service_span: root.locate("/spec/service"),
        objectives: objectives_with_budget(objectives, window.as_ref()),
        window,
        budgeting_method: budgeting,
        indicator,
        alerts,
        status: None,
        valid: true,
        name,
    })
}

/// Time-slice budgeting needs a target per slice (and, in v1, a window).
fn check_time_slices(
    doc: &mut Doc<'_>,
    objective: &Node,
    at: &str,
    budgeting: &str,
    needs_window: bool,
    out: &mut Vec<Diagnostic>,
) {
    match number(objective.get("timeSliceTarget")) {
        Some(t) if t > 0.0 && t <= 1.0 => {}
        Some(t) => doc.report(
            &codes::SLO_TIME_WINDOW,
            &format!("{at}/timeSliceTarget"),
            format!("`timeSliceTarget` is a ratio in (0, 1], not {t}"),
            out,
        ),
        None => doc.report(
            &codes::SLO_TIME_WINDOW,
            at,
            format!("{budgeting} budgeting needs the objective's `timeSliceTarget`"),
            out,
        ),
    }
    if !needs_window {
        return;
    }
    let window = objective.get("timeSliceWindow");
    let valid = match window.map(|w| &w.value) {
        Some(portolan_core::yaml::Value::String(text)) => parse_duration(text).is_some(),
        Some(portolan_core::yaml::Value::Int(seconds)) => *seconds > 0,
        _ => false,
    };
    if !valid {
        doc.report(
            &codes::SLO_TIME_WINDOW,
            &if window.is_some() {
                format!("{at}/timeSliceWindow")
            } else {
                at.to_string()
            },
            format!("{budgeting} budgeting needs a `timeSliceWindow` such as `1m` or `5m`"),
            out,
        );
    }
}

fn read_v1alpha(doc: &mut Doc<'_>, out: &mut Vec<Diagnostic>) -> Option<Slo> {
    let root = doc.root;
    let name = doc.str_at("/metadata/name")?.to_string();
    let spec = root.get("spec")?;
    let window = match spec.pointer("/timeWindows/0") {
        None => None,
        Some(node) => {
            let unit = node.get("unit").and_then(Node::as_str).unwrap_or_default();
            let count = match node.get("count").map(|n| &n.value) {
                Some(portolan_core::yaml::Value::Int(c)) => *c,
                _ => 0,
            };
            match alpha_window(unit, count) {
                Some(minutes) => Some(Window {
                    text: format!("{count} {unit}"),
                    minutes,
                    rolling: node.get("calendar").is_none(),
                }),
                None => {
                    doc.report(
                        &codes::SLO_TIME_WINDOW,
                        "/spec/timeWindows/0",
                        format!("a window of {count} {unit} cannot be used: the count must be a positive whole number"),
                        out,
                    );
                    None
                }
            }
        }
    };
    let budgeting = doc
        .str_at("/spec/budgetingMethod")
        .unwrap_or_default()
        .to_string();
    let mut objectives = Vec::new();
    let mut queries = Vec::new();
    let items = spec.get("objectives").and_then(Node::as_seq).unwrap_or(&[]);
    for (i, item) in items.iter().enumerate() {
        let at = format!("/spec/objectives/{i}");
        if budgeting == "Timeslices" {
            check_time_slices(doc, item, &at, &budgeting, false, out);
        }
        for label in ["good", "total"] {
            if let Some(query) = item
                .pointer(&format!("/ratioMetrics/{label}/query"))
                .and_then(Node::as_str)
            {
                queries.push(Query {
                    label: label.into(),
                    text: query.to_string(),
                });
            }
        }
        if let Some(target) = number(item.get("target"))
            && let Some(percent) =
                objective_percent(doc, &format!("{at}/target"), target, true, out)
        {
            let name = item
                .get("displayName")
                .and_then(Node::as_str)
                .map(str::to_string);
            objectives.push((name, percent));
        }
    }
    let indicator = if let Some(threshold) = spec.pointer("/indicator/thresholdMetric") {
        Some(Indicator {
            kind: "threshold".into(),
            source: threshold
                .get("source")
                .and_then(Node::as_str)
                .map(str::to_string),
            queries: threshold
                .get("query")
                .and_then(Node::as_str)
                .map(|q| Query {
                    label: "threshold".into(),
                    text: q.to_string(),
                })
                .into_iter()
                .collect(),
        })
    } else if queries.is_empty() {
        None
    } else {
        Some(Indicator {
            kind: "ratio".into(),
            source: items
                .iter()
                .find_map(|o| o.pointer("/ratioMetrics/total/source"))
                .and_then(Node::as_str)
                .map(str::to_string),
            queries,
        })
    };
    let line = doc.line("/metadata/name");
    Some(Slo {
        display_name: doc.str_at("/metadata/displayName").map(str::to_string),
        description: doc.str_at("/spec/description").map(str::to_string),
        format: "openslo/v1alpha",
        file: doc.file.path.clone(),
        line,
        service: doc.str_at("/spec/service").unwrap_or_default().to_string(),
        service_span: root.locate("/spec/service"),
        objectives: objectives_with_budget(objectives, window.as_ref()),
        window,
        budgeting_method: budgeting,
        indicator,
        alerts: Vec::new(),
        status: None,
        valid: true,
        name,
    })
}

/// Sloth's SLO period when none is configured: 30 days.
const SLOTH_WINDOW_DAYS: f64 = 30.0;

/// The multiwindow, multi-burn-rate alerts Sloth generates for a 30-day
/// window: the page alert fires on 2% of the budget spent in an hour or
/// 5% in six hours, the ticket alert on 10% in a day or three days.
const SLOTH_ALERTS: &[(&str, f64, &str)] = &[
    ("page", 14.4, "1h"),
    ("page", 6.0, "6h"),
    ("ticket", 3.0, "1d"),
    ("ticket", 1.0, "3d"),
];

fn read_sloth(doc: &mut Doc<'_>, out: &mut Vec<Diagnostic>) -> Vec<Slo> {
    let base = if doc.format == Format::SlothK8s {
        "/spec"
    } else {
        ""
    };
    let Some(body) = doc.root.pointer(base) else {
        return Vec::new();
    };
    let service = body
        .get("service")
        .and_then(Node::as_str)
        .unwrap_or_default()
        .to_string();
    let window = Window {
        text: "30d".into(),
        minutes: SLOTH_WINDOW_DAYS * 1_440.0,
        rolling: true,
    };
    let mut slos = Vec::new();
    let items = body.get("slos").and_then(Node::as_seq).unwrap_or(&[]);
    for (i, item) in items.iter().enumerate() {
        let at = format!("{base}/slos/{i}");
        let Some(name) = item.get("name").and_then(Node::as_str) else {
            continue;
        };
        let objective = number(item.get("objective"))
            .and_then(|o| objective_percent(doc, &format!("{at}/objective"), o, false, out));
        let sli = item.get("sli");
        let indicator = sli.and_then(|sli| {
            if let Some(events) = sli.get("events") {
                let queries = ["error_query", "total_query"]
                    .into_iter()
                    .filter_map(|label| {
                        let text = events.get(label)?.as_str()?;
                        Some(Query {
                            label: label.into(),
                            text: text.to_string(),
                        })
                    })
                    .collect();
                Some(Indicator {
                    kind: "events".into(),
                    source: Some("prometheus".into()),
                    queries,
                })
            } else if let Some(raw) = sli.get("raw") {
                Some(Indicator {
                    kind: "raw".into(),
                    source: Some("prometheus".into()),
                    queries: raw
                        .get("error_ratio_query")
                        .and_then(Node::as_str)
                        .map(|q| Query {
                            label: "error_ratio_query".into(),
                            text: q.to_string(),
                        })
                        .into_iter()
                        .collect(),
                })
            } else {
                sli.pointer("/plugin/id")
                    .and_then(Node::as_str)
                    .map(|id| Indicator {
                        kind: "plugin".into(),
                        source: Some(id.to_string()),
                        queries: Vec::new(),
                    })
            }
        });
        let mut alerts = Vec::new();
        if let Some(alerting) = item.get("alerting") {
            let base_name = alerting.get("name").and_then(Node::as_str).unwrap_or(name);
            for &(severity, burn_rate, lookback) in SLOTH_ALERTS {
                let disabled = alerting
                    .pointer(&format!("/{severity}_alert/disable"))
                    .is_some_and(|n| n.value == portolan_core::yaml::Value::Bool(true));
                if disabled {
                    continue;
                }
                alerts.push(Alert {
                    name: base_name.to_string(),
                    severity: Some(severity.to_string()),
                    burn_rate,
                    lookback: Some(lookback.to_string()),
                    fires_at_error_percent: objective
                        .map(|o| window::burn_rate_error_percent(o, burn_rate)),
                });
            }
        }
        let line = doc.line(&at);
        slos.push(Slo {
            name: name.to_string(),
            display_name: None,
            description: item
                .get("description")
                .and_then(Node::as_str)
                .map(str::to_string),
            format: "sloth/prometheus/v1",
            file: doc.file.path.clone(),
            line,
            service: service.clone(),
            service_span: doc.root.locate(&format!("{base}/service")),
            objectives: objectives_with_budget(
                objective.map(|o| (None, o)).into_iter().collect(),
                Some(&window),
            ),
            window: Some(window.clone()),
            budgeting_method: "Occurrences".into(),
            indicator,
            alerts,
            status: None,
            valid: true,
        });
    }
    slos
}
