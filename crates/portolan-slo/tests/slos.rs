//! SLO files end to end: a small catalog with OpenSLO v1 (objects split
//! over files, referring to each other), v1alpha, Sloth in both forms and
//! a status file; then the errors each code reports, at their place.

use portolan_catalog::{Catalog, LoadOptions};
use portolan_core::source::MemorySource;
use portolan_slo::{Limits, SloCatalog, load};

const CATALOG: &str = "apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout
  annotations:
    portolan.dev/slos: slos/checkout-*.yaml
spec: { type: service, lifecycle: production, owner: team-a }
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: search
spec: { type: service, lifecycle: production, owner: team-a }
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata:
  name: payments
spec: { owner: team-a }
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-a
spec: { type: team, children: [] }
";

const CHECKOUT_SLO: &str = "apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout-availability
  displayName: Checkout availability
spec:
  description: Orders that go through.
  service: checkout-api
  indicatorRef: checkout-good-requests
  timeWindow:
    - duration: 30d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - displayName: Good
      target: 0.999
  alertPolicies:
    - alertPolicyRef: fast-burn
";

const CHECKOUT_SHARED: &str = "apiVersion: openslo/v1
kind: SLI
metadata:
  name: checkout-good-requests
spec:
  ratioMetric:
    counter: true
    good:
      metricSource:
        metricSourceRef: prometheus-main
        type: Prometheus
        spec:
          query: sum(rate(http_requests_total{job=\"checkout\",code!~\"5..\"}[5m]))
    total:
      metricSource:
        metricSourceRef: prometheus-main
        type: Prometheus
        spec:
          query: sum(rate(http_requests_total{job=\"checkout\"}[5m]))
---
apiVersion: openslo/v1
kind: DataSource
metadata:
  name: prometheus-main
spec:
  type: Prometheus
  connectionDetails:
    url: http://prometheus.internal:9090
---
apiVersion: openslo/v1
kind: AlertPolicy
metadata:
  name: fast-burn
spec:
  conditions:
    - conditionRef: burn-14
  notificationTargets:
    - targetRef: pager
---
apiVersion: openslo/v1
kind: AlertCondition
metadata:
  name: burn-14
spec:
  severity: page
  condition:
    kind: burnrate
    op: gte
    threshold: 14.4
    lookbackWindow: 1h
    alertAfter: 5m
---
apiVersion: openslo/v1
kind: AlertNotificationTarget
metadata:
  name: pager
spec:
  target: pagerduty
";

const SEARCH_SLOTH: &str = "version: prometheus/v1
service: search
slos:
  - name: requests-availability
    objective: 99.5
    description: Searches answered without a server error.
    sli:
      events:
        error_query: sum(rate(search_requests_total{code=~\"5..\"}[{{.window}}]))
        total_query: sum(rate(search_requests_total[{{.window}}]))
    alerting:
      name: SearchAvailability
      ticket_alert:
        disable: true
";

const PAYMENTS_K8S: &str = "apiVersion: sloth.slok.dev/v1
kind: PrometheusServiceLevel
metadata:
  name: payments
spec:
  service: payments
  slos:
    - name: latency
      objective: 99
      sli:
        raw:
          error_ratio_query: 1 - sum(rate(pay_ok[{{.window}}])) / sum(rate(pay_all[{{.window}}]))
";

const PAYMENTS_ALPHA: &str = "apiVersion: openslo/v1alpha
kind: SLO
metadata:
  name: payments-latency
  displayName: Payments latency
spec:
  service: payments
  timeWindows:
    - unit: Day
      count: 28
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - displayName: fast
      target: 0.95
      ratioMetrics:
        incremental: true
        good: { source: prometheus, queryType: promql, query: fast_total }
        total: { source: prometheus, queryType: promql, query: all_total }
";

const STATUS: &str = r#"{"timestamp": "2026-12-01T10:00:00Z",
 "slos": {"checkout-availability": {"objective": 99.9, "current": 99.95, "remainingBudget": 62.5}}}"#;

fn run(files: &[(&str, &str)]) -> (Catalog, SloCatalog) {
    let mut source = MemorySource::new();
    for (path, text) in files {
        source = source.with_file(path, *text);
    }
    let loaded = portolan_catalog::load(&source, &LoadOptions::default()).unwrap();
    let (catalog, _) = Catalog::link(loaded);
    let slos = load(
        &source,
        &catalog,
        Limits {
            max_file_size: 1 << 20,
            yaml: Default::default(),
        },
    );
    (catalog, slos)
}

fn entity(catalog: &Catalog, name: &str) -> usize {
    catalog
        .entities
        .iter()
        .position(|e| e.name == name)
        .unwrap()
}

fn findings(slos: &SloCatalog) -> Vec<String> {
    slos.diagnostics
        .iter()
        .map(|d| {
            format!(
                "{} {}: {}",
                d.code,
                d.file.as_deref().unwrap_or(""),
                d.message
            )
        })
        .collect()
}

#[test]
fn every_format_read_linked_and_budgeted() {
    let (catalog, slos) = run(&[
        ("catalog-info.yaml", CATALOG),
        ("slos/checkout-availability.yaml", CHECKOUT_SLO),
        ("slos/checkout-shared.yaml", CHECKOUT_SHARED),
        ("slos/slo-status.json", STATUS),
        ("search/sloth.yaml", SEARCH_SLOTH),
        ("payments/k8s.yaml", PAYMENTS_K8S),
        ("payments/openslo.yaml", PAYMENTS_ALPHA),
        // Not SLO files: never parsed, never reported.
        (
            "deploy/values.yaml",
            "replicas: 3\nversion: prometheus/v2\n",
        ),
    ]);
    assert_eq!(findings(&slos), Vec::<String>::new());
    assert_eq!(slos.slos.len(), 4);

    // The annotation links checkout's file although its service is named
    // differently; the SLI, alert policy and condition come from another
    // file.
    let checkout: Vec<_> = slos.of_entity(entity(&catalog, "checkout")).collect();
    assert_eq!(checkout.len(), 1);
    let slo = checkout[0];
    assert!(slo.valid);
    assert_eq!(slo.objectives[0].percent, 99.9);
    assert_eq!(slo.objectives[0].budget_minutes, Some(43.2));
    assert_eq!(slo.objectives[0].budget.as_deref(), Some("43.2 min"));
    let indicator = slo.indicator.as_ref().unwrap();
    assert_eq!(indicator.kind, "ratio");
    assert_eq!(indicator.source.as_deref(), Some("Prometheus"));
    assert_eq!(
        indicator
            .queries
            .iter()
            .map(|q| q.label.as_str())
            .collect::<Vec<_>>(),
        ["good", "total"]
    );
    assert_eq!(slo.alerts.len(), 1);
    assert_eq!(slo.alerts[0].burn_rate, 14.4);
    assert_eq!(slo.alerts[0].fires_at_error_percent, Some(1.44));
    assert_eq!(slo.alerts[0].severity.as_deref(), Some("page"));
    let status = slo.status.as_ref().unwrap();
    assert_eq!(status.timestamp, "2026-12-01T10:00:00Z");
    assert_eq!(status.remaining_budget, Some(62.5));
    assert_eq!(
        (slo.file.as_str(), slo.line),
        ("slos/checkout-availability.yaml", 4)
    );

    // Sloth, by service name: 30 days, the page alert's two burn rates
    // (the ticket alert is disabled).
    let search: Vec<_> = slos.of_entity(entity(&catalog, "search")).collect();
    assert_eq!(search.len(), 1);
    assert_eq!(search[0].objectives[0].budget_minutes, Some(216.0));
    assert_eq!(
        search[0]
            .alerts
            .iter()
            .map(|a| (a.burn_rate, a.fires_at_error_percent))
            .collect::<Vec<_>>(),
        [(14.4, Some(7.2)), (6.0, Some(3.0))]
    );

    // A System by name: Sloth's Kubernetes form and OpenSLO v1alpha.
    let payments = entity(&catalog, "payments");
    let names: Vec<&str> = slos.of_entity(payments).map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["latency", "payments-latency"]);
    let summary = slos.summary(payments);
    assert_eq!(summary.count, 2);
    assert!(summary.valid);
    assert_eq!(summary.lowest_objective, Some(95.0));
    // 99% of 30 days = 432 min; 95% of 28 days = 2016 min.
    assert_eq!(summary.smallest_budget_minutes, Some(432.0));
    // An entity without SLOs.
    let team = slos.summary(entity(&catalog, "team-a"));
    assert_eq!(
        (team.count, team.valid, team.lowest_objective),
        (0, false, None)
    );
}

#[test]
fn each_problem_is_reported_where_it_is() {
    let broken_v1 = "apiVersion: openslo/v1
kind: SLO
metadata:
  name: Bad_Name
spec:
  service: checkout
  indicatorRef: missing-sli
  timeWindow:
    - duration: 30 days
  budgetingMethod: Timeslices
  objectives:
    - target: 99.9
  alertPolicies:
    - alertPolicyRef: nowhere
";
    let sloth = "version: prometheus/v1
service: ghost
slos:
  - name: availability
    objective: 100
    sli:
      raw:
        error_ratio_query: x
";
    let (_, slos) = run(&[
        ("catalog-info.yaml", CATALOG),
        ("a/bad.yaml", broken_v1),
        ("b/sloth.yaml", sloth),
        (
            "b/slo-status.json",
            "{\"timestamp\": \"now\", \"slos\": {\"unknown\": {\"current\": 1}}}",
        ),
    ]);
    let found = findings(&slos);
    let has = |code: &str, text: &str| {
        assert!(
            found
                .iter()
                .any(|f| f.starts_with(code) && f.contains(text)),
            "no {code} containing {text:?} in {found:#?}"
        );
    };
    has("O001 a/bad.yaml", "metadata.name");
    has("O002 a/bad.yaml", "did you mean 0.999?");
    has("O003 a/bad.yaml", "`30 days` is not a window");
    has("O003 a/bad.yaml", "needs the objective's `timeSliceTarget`");
    has("O003 a/bad.yaml", "needs a `timeSliceWindow`");
    has("O004 a/bad.yaml", "no SLI is named `missing-sli`");
    has("O004 a/bad.yaml", "no AlertPolicy is named `nowhere`");
    has("O002 b/sloth.yaml", "leaves no error budget at all");
    has("O005 b/sloth.yaml", "service `ghost`");
    has(
        "O007 b/slo-status.json",
        "`unknown`, which no SLO file beside it defines",
    );
    // The checkout annotation's glob matches nothing in this catalog.
    has(
        "O006 catalog-info.yaml",
        "matches no file that holds an SLO",
    );
    // Broken SLOs are shown but marked invalid.
    assert!(slos.slos.iter().all(|s| !s.valid));
    // Findings point at the node: the window's duration is on line 9.
    let window = slos
        .diagnostics
        .iter()
        .find(|d| d.message.contains("`30 days`"))
        .unwrap();
    assert_eq!(window.file.as_deref(), Some("a/bad.yaml"));
    let text = broken_v1;
    let offset = window.span.unwrap().start as usize;
    assert_eq!(text[..offset].lines().count(), 9, "{}", &text[offset..]);
}

#[test]
fn annotation_globs_cannot_leave_the_root() {
    let catalog = "apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout
  annotations:
    portolan.dev/slos: ../../etc/*.yaml, /abs/*.yaml, slos/[.yaml
spec: { type: service, lifecycle: production, owner: team-a }
";
    let (_, slos) = run(&[("svc/catalog-info.yaml", catalog)]);
    let found = findings(&slos);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(found[0].contains("leaves the catalog root"), "{found:#?}");
    assert!(
        found[1].contains("absolute paths are not allowed"),
        "{found:#?}"
    );
    assert!(found[2].contains("is not a glob"), "{found:#?}");
}
