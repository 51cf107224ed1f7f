//! portolan-scorecard: the scoring stage, after checking. Scorecard files
//! (YAML under `scorecards/`) name rules over built-in facts of each
//! entity ([`facts`]: the catalog, API definitions, docs, findings, git
//! history), JSON Schemas or policies, grouped into ordered levels; every
//! entity a scorecard selects gets each rule's state and the level it
//! reaches ([`evaluate`]). `check` reports gate failures and expired
//! waivers (codes `S0xx`); `portolan scorecard` prints the levels
//! ([`report`]). Nothing here reads the clock: today is given.

pub mod date;
pub mod evaluate;
pub mod facts;
pub mod file;
pub mod git;
pub mod projection;
pub mod report;
pub mod trend;

use std::collections::BTreeSet;
use std::path::PathBuf;

use portolan_catalog::{EntityId, EntityRef};
use portolan_check::{Checked, Policy};
use portolan_core::config::{CONFIG_FILE, Config};
use portolan_core::source::Source;
use portolan_core::{Diagnostic, codes};
use rayon::prelude::*;

pub use date::Day;
pub use evaluate::{EntityScore, RuleResult, State};
pub use facts::{FACTS, FactDef, Facts};
pub use file::{LoadedScorecards, Scorecard};
pub use projection::Projection;

/// Most commits the git facts walk (the 90-day window and, past it, until
/// every entity file's last change is found).
pub const DEFAULT_MAX_GIT_COMMITS: usize = 5_000;

/// What scoring needs besides the checked catalog.
pub struct ScoreOptions {
    /// The day waivers and `enforceFrom` are compared with.
    pub today: Day,
    /// Where git history is read for the git facts: the catalog root on
    /// disk and the revision (`HEAD` when reading the work tree). `None`:
    /// no git facts (they are unknown).
    pub git: Option<(PathBuf, String)>,
    pub max_git_commits: usize,
    /// Compute every fact of every entity (for `catalog.json`), not only
    /// those the scorecards need.
    pub all_facts: bool,
    /// Say why each rule is in its state, with the fact's value (reports,
    /// the portal). Without (`check`), [`score`] gives each entity its
    /// level and expired waivers, and its rules' states (no reason) only
    /// when its level is below a gate's: enough for gates and waivers.
    /// Schema rules then see only the part of `{entity, facts}` they read
    /// ([`Projection`]), and only the facts some rule reads are computed.
    pub reasons: bool,
}

/// Every scorecard's results.
pub struct Scored {
    pub loaded: LoadedScorecards,
    /// Per entity (by id), its facts; empty when no fact was needed.
    pub facts: Vec<Facts>,
    /// Per scorecard (as in `loaded.scorecards`), the entities it selects
    /// with their score, in entity order.
    pub scores: Vec<Vec<(EntityId, EntityScore)>>,
}

/// Read the scorecards of the catalog in `source` and score every entity
/// of `checked` they select.
pub fn score(
    source: &dyn Source,
    checked: &Checked,
    config: &Config,
    policies: &[Policy],
    options: &ScoreOptions,
) -> Scored {
    score_cached(source, checked, config, policies, options, None)
}

/// [`score`], reusing the git facts of the last call through `cache`
/// while the revision's commit and the entities' files are unchanged
/// (`serve`'s rebuilds).
pub fn score_cached(
    source: &dyn Source,
    checked: &Checked,
    config: &Config,
    policies: &[Policy],
    options: &ScoreOptions,
    cache: Option<&mut git::GitFactsCache>,
) -> Scored {
    let policy_codes: BTreeSet<String> = policies.iter().map(|p| p.config.code.clone()).collect();
    let loaded = file::load_scorecards(source, &checked.catalog.all_files, config, &policy_codes);
    let states_below = gated_levels(&loaded, config);
    let (facts, scores) = score_with(
        &loaded,
        source,
        checked,
        policies,
        options,
        cache,
        &states_below,
    );
    Scored {
        loaded,
        facts,
        scores,
    }
}

/// Score every entity of `checked` on scorecards already loaded: each
/// entity's facts (when kept) and, per scorecard, the entities it selects
/// with their score. `source` is the catalog `checked` was read from (for
/// CODEOWNERS). Without `options.reasons`, an entity's rules' states are
/// worked out only when its level is below `states_below` (per scorecard,
/// in levels reached): other entities get their level alone.
#[allow(clippy::type_complexity)]
fn score_with(
    loaded: &LoadedScorecards,
    source: &dyn Source,
    checked: &Checked,
    policies: &[Policy],
    options: &ScoreOptions,
    cache: Option<&mut git::GitFactsCache>,
    states_below: &[usize],
) -> (Vec<Facts>, Vec<Vec<(EntityId, EntityScore)>>) {
    let today = options.today;
    score_each(
        loaded,
        source,
        checked,
        options,
        cache,
        |index, scorecard, id, subject| {
            let score = if options.reasons {
                evaluate::score_entity(scorecard, subject, policies, today, true)
            } else {
                let score = evaluate::score_level(scorecard, subject, policies, today);
                if score.level.map_or(0, |l| l + 1) < states_below[index] {
                    evaluate::score_entity(scorecard, subject, policies, today, false)
                } else {
                    score
                }
            };
            (id, score)
        },
    )
}

/// Per scorecard, the levels an entity must reach for no gate to report
/// it (for `check`, which then needs its rules' states): the highest
/// minimum level of the scorecard's gates, plus one; 0 without a gate.
fn gated_levels(loaded: &LoadedScorecards, config: &Config) -> Vec<usize> {
    let mut below = vec![0; loaded.scorecards.len()];
    for gate in &config.scorecards.gates {
        if let Some(index) = find_scorecard(&loaded.scorecards, &gate.scorecard)
            && let Some(minimum) = loaded.scorecards[index].level_index(&gate.level)
        {
            below[index] = below[index].max(minimum + 1);
        }
    }
    below
}

/// The scorecard named `name`: its id or its name, case-insensitively.
fn find_scorecard(scorecards: &[Scorecard], name: &str) -> Option<usize> {
    scorecards
        .iter()
        .position(|s| s.id.eq_ignore_ascii_case(name) || s.name.eq_ignore_ascii_case(name))
}

/// Per scorecard, the level of each entity it selects ([`score`]'s
/// levels, without rule results: what a trend counts). The scorecards are
/// loaded already: the portal's trends score past revisions of the
/// catalog with today's scorecards.
pub fn score_levels(
    loaded: &LoadedScorecards,
    source: &dyn Source,
    checked: &Checked,
    policies: &[Policy],
    options: &ScoreOptions,
    cache: Option<&mut git::GitFactsCache>,
) -> Vec<Vec<Option<usize>>> {
    let (_, levels) = score_each(
        loaded,
        source,
        checked,
        options,
        cache,
        |_, scorecard, _, subject| evaluate::level_of(scorecard, subject, policies, options.today),
    );
    levels
}

/// `score` of every entity each scorecard scores, per scorecard, in
/// entity order, and the entities' facts. Entities are taken one at a
/// time (in parallel): the facts of each are computed once for every
/// scorecard that scores it, and, unless `options.all_facts` or
/// `options.reasons` asks for them to be kept, let go at once (`check`
/// and trends need only the scores).
fn score_each<T: Send>(
    loaded: &LoadedScorecards,
    source: &dyn Source,
    checked: &Checked,
    options: &ScoreOptions,
    cache: Option<&mut git::GitFactsCache>,
    score: impl Fn(usize, &file::Scorecard, EntityId, &evaluate::Subject<'_>) -> T + Sync,
) -> (Vec<Facts>, Vec<Vec<T>>) {
    let catalog = &checked.catalog;
    let mut scores: Vec<Vec<T>> = loaded.scorecards.iter().map(|_| Vec::new()).collect();
    if !options.all_facts && loaded.scorecards.is_empty() {
        return (Vec::new(), scores);
    }
    let keep_facts = options.all_facts || options.reasons;
    let reads = document_reads(loaded, options);
    // Per entity, the scorecards whose selector selects it.
    let selected: Vec<Vec<usize>> = catalog
        .entities
        .par_iter()
        .map(|entity| {
            (0..loaded.scorecards.len())
                .filter(|&i| {
                    portolan_check::policy::selector_matches(&loaded.scorecards[i].selector, entity)
                })
                .collect()
        })
        .collect();
    let plan = FactPlan::new(loaded, source, checked, options, &selected, cache);
    let per_entity: Vec<(Facts, Vec<(usize, T)>)> = catalog
        .entities
        .par_iter()
        .enumerate()
        .map(|(id, entity)| {
            // Each identity is scored once: a duplicate definition (R004)
            // is not scored again.
            let first = entity.has_identity() && catalog.index.get(entity.key_ref()) == Some(&id);
            let cards: &[usize] = if first { &selected[id] } else { &[] };
            let wanted = !cards.is_empty() || (keep_facts && plan.gets_facts(id));
            if !wanted {
                return (Facts::new(), Vec::new());
            }
            let facts = plan.facts(id);
            let scored = {
                let subject = evaluate::Subject::new(entity, &facts, &reads);
                cards
                    .iter()
                    .map(|&i| (i, score(i, &loaded.scorecards[i], id, &subject)))
                    .collect()
            };
            (if keep_facts { facts } else { Facts::new() }, scored)
        })
        .collect();
    let mut all_facts = Vec::with_capacity(if keep_facts { per_entity.len() } else { 0 });
    for (facts, scored) in per_entity {
        if keep_facts {
            all_facts.push(facts);
        }
        for (index, score) in scored {
            scores[index].push(score);
        }
    }
    (all_facts, scores)
}

/// What of `{entity, facts}` the scorecards' schema rules see: all of it
/// when reasons are asked for (a failure's message may quote any part),
/// else what they read.
fn document_reads(loaded: &LoadedScorecards, options: &ScoreOptions) -> Projection {
    if options.reasons {
        Projection::All
    } else {
        schema_reads(loaded)
    }
}

/// What of `{entity, facts}` the scorecards' schema rules read.
pub fn schema_reads(loaded: &LoadedScorecards) -> Projection {
    loaded
        .scorecards
        .iter()
        .flat_map(|s| &s.rules)
        .filter_map(|r| match &r.check {
            file::RuleCheck::Schema { reads, .. } => Some(reads.clone()),
            _ => None,
        })
        .fold(Projection::Presence, Projection::union)
}

/// The facts the scorecards' rules read (`None`: maybe any): fact rules'
/// facts, and the facts schema rules read.
pub fn facts_read(loaded: &LoadedScorecards) -> Option<facts::FactSet> {
    let mut read = facts::FactSet::default();
    match schema_reads(loaded).member("facts") {
        Some(Projection::All) => return None,
        Some(Projection::Members(names)) => {
            for index in names.keys().filter_map(|name| facts::fact_index(name)) {
                read.insert(index);
            }
        }
        Some(Projection::Presence) | None => {}
    }
    for rule in loaded.scorecards.iter().flat_map(|s| &s.rules) {
        if let file::RuleCheck::Fact { index, .. } = &rule.check {
            read.insert(*index);
        }
    }
    Some(read)
}

/// How facts are computed for one scoring.
struct FactPlan<'a> {
    context: facts::FactContext<'a>,
    /// The facts to compute (`None`: all).
    read: Option<facts::FactSet>,
    /// With `options.all_facts`, every entity gets facts; else those a
    /// scorecard's selector selects.
    all_entities: bool,
    /// Per entity, the scorecards whose selector selects it.
    selected: &'a [Vec<usize>],
}

impl<'a> FactPlan<'a> {
    fn new(
        loaded: &LoadedScorecards,
        source: &dyn Source,
        checked: &'a Checked,
        options: &ScoreOptions,
        selected: &'a [Vec<usize>],
        cache: Option<&mut git::GitFactsCache>,
    ) -> FactPlan<'a> {
        let entities = &checked.catalog.entities;
        let gets_facts = |id: EntityId| options.all_facts || !selected[id].is_empty();
        let read = if options.all_facts || options.reasons {
            None
        } else {
            facts_read(loaded).map(|mut read| {
                // Reports show, and `--group` filters by, the owner.
                read.insert(facts::fact_index("owner").unwrap_or_default());
                read
            })
        };
        // Git history is walked only when a git fact is read.
        let needs_git = read.as_ref().is_none_or(|read| {
            (0..facts::FACT_COUNT).any(|i| read.contains(i) && FACTS[i].name.starts_with("git."))
        });
        // The history walk and the context's indexes, side by side.
        let git = || {
            if !needs_git {
                return (None, None);
            }
            let git = options.git.as_ref().and_then(|(root, rev)| {
                let paths: BTreeSet<String> = (0..entities.len())
                    .filter(|&id| gets_facts(id))
                    .flat_map(|id| facts::entity_files(checked, id))
                    .collect();
                match cache {
                    Some(cache) => cache.collect(root, rev, &paths, options.max_git_commits),
                    None => git::GitFacts::collect(root, rev, &paths, options.max_git_commits)
                        .map(std::sync::Arc::new),
                }
            });
            (git, git::CodeOwners::read(source))
        };
        let ((git, codeowners), context) = rayon::join(git, || facts::FactContext::new(checked));
        FactPlan {
            context: context.with_git(git, codeowners),
            read,
            all_entities: options.all_facts,
            selected,
        }
    }

    /// Whether entity `id` gets facts.
    fn gets_facts(&self, id: EntityId) -> bool {
        self.all_entities || !self.selected[id].is_empty()
    }

    /// Entity `id`'s facts: those to compute, and no others.
    fn facts(&self, id: EntityId) -> Facts {
        let mut facts = self.context.facts_of(id, self.read.as_ref());
        if let Some(read) = &self.read {
            facts.retain(read);
        }
        facts
    }
}

impl Scored {
    /// The scorecard named `name`: its id or its name, case-insensitively.
    pub fn find(&self, name: &str) -> Option<usize> {
        find_scorecard(&self.loaded.scorecards, name)
    }

    /// What `check` reports: the scorecard files' findings, gate failures
    /// (S002), expired waivers (S003) and waivers that exempt nothing
    /// (S004), after `[rules]` overrides.
    pub fn diagnostics(&self, checked: &Checked, config: &Config, today: Day) -> Vec<Diagnostic> {
        let mut found = self.loaded.diagnostics.clone();
        let catalog = &checked.catalog;
        for (index, scorecard) in self.loaded.scorecards.iter().enumerate() {
            let selected: BTreeSet<EntityId> =
                self.scores[index].iter().map(|(id, _)| *id).collect();
            for waiver in &scorecard.waivers {
                let rule = &scorecard.rules[waiver.rule].id;
                if waiver.expires < today {
                    found.push(
                        Diagnostic::new(
                            &codes::WAIVER_EXPIRED,
                            format!(
                                "the waiver of rule `{rule}` for {} expired on {}",
                                waiver.entity, waiver.expires
                            ),
                        )
                        .at(&scorecard.file, waiver.span)
                        .with_help("renew it with a new date and reason, or remove it; until then the rule counts as failed when its check fails"),
                    );
                }
                let target = catalog.index.get(&waiver.entity.key());
                if !target.is_some_and(|id| selected.contains(id)) {
                    let why = if target.is_some() {
                        "the scorecard's selector does not select it"
                    } else {
                        "it is not in the catalog"
                    };
                    found.push(
                        Diagnostic::new(
                            &codes::WAIVER_UNMATCHED,
                            format!(
                                "the waiver of rule `{rule}` names {}, but {why}",
                                waiver.entity
                            ),
                        )
                        .at(&scorecard.file, waiver.span),
                    );
                }
            }
        }
        for (gate_index, gate) in config.scorecards.gates.iter().enumerate() {
            // At the gate's value in portolan.toml when it is known.
            let at = |d: Diagnostic, level: bool| match self.loaded.gate_spans.get(gate_index) {
                Some((scorecard, level_span)) => {
                    d.at(CONFIG_FILE, if level { *level_span } else { *scorecard })
                }
                None => d.in_file(CONFIG_FILE),
            };
            let Some(index) = self.find(&gate.scorecard) else {
                if !self
                    .loaded
                    .failed
                    .iter()
                    .any(|id| id.eq_ignore_ascii_case(&gate.scorecard))
                {
                    let known: Vec<&str> = self
                        .loaded
                        .scorecards
                        .iter()
                        .map(|s| s.id.as_str())
                        .collect();
                    found.push(at(
                        Diagnostic::new(
                            &codes::SCORECARD_INVALID,
                            format!(
                                "a `[[scorecards.gates]]` entry names the scorecard `{}`, which does not exist (scorecards: {})",
                                gate.scorecard,
                                if known.is_empty() { "none".to_string() } else { known.join(", ") }
                            ),
                        ),
                        false,
                    ));
                }
                continue;
            };
            let scorecard = &self.loaded.scorecards[index];
            let Some(minimum) = scorecard.level_index(&gate.level) else {
                found.push(at(
                    Diagnostic::new(
                        &codes::SCORECARD_INVALID,
                        format!(
                            "a `[[scorecards.gates]]` entry requires level `{}` of scorecard `{}`, which has only {}",
                            gate.level,
                            scorecard.id,
                            scorecard.levels.join(", ")
                        ),
                    ),
                    true,
                ));
                continue;
            };
            for (id, score) in &self.scores[index] {
                let entity = &catalog.entities[*id];
                if score.level.is_some_and(|l| l >= minimum)
                    || !portolan_check::policy::selector_matches(&gate.selector, entity)
                {
                    continue;
                }
                let blocking: Vec<String> = score
                    .rules
                    .iter()
                    .filter(|r| {
                        scorecard.rules[r.rule].level <= minimum && !r.state.counts_as_met()
                    })
                    .map(|r| format!("`{}` ({})", scorecard.rules[r.rule].id, r.state.as_str()))
                    .collect();
                let level = score
                    .level
                    .map_or("no level", |l| scorecard.levels[l].as_str());
                found.push(
                    Diagnostic::custom(
                        codes::SCORECARD_GATE.code,
                        gate.severity,
                        format!(
                            "{} is at {level} of scorecard `{}`, below the required {}: {}",
                            entity.entity_ref(),
                            scorecard.id,
                            scorecard.levels[minimum],
                            blocking.join(", ")
                        ),
                    )
                    .at(&entity.file, entity.node.locate("/metadata/name"))
                    .with_help(format!(
                        "`portolan scorecard {}` shows every rule's state; the gate is in {CONFIG_FILE}",
                        scorecard.id
                    )),
                );
            }
        }
        let mut found = portolan_check::apply_rule_settings(found, config);
        portolan_core::diagnostic::sort_diagnostics(&mut found);
        found
    }

    /// Whether entity `id`'s owner is `group` (a name or a ref; the
    /// namespace defaults to `default`).
    pub fn owned_by(&self, id: EntityId, group: &str) -> bool {
        let Some(owner) = self
            .facts
            .get(id)
            .and_then(|f| f.get("owner"))
            .and_then(|v| v.as_str())
        else {
            return false;
        };
        let wanted = EntityRef::parse(group, Some("Group"), "default");
        wanted.is_ok_and(|w| {
            EntityRef::parse(owner, Some("Group"), "default").is_ok_and(|o| o.key() == w.key())
        })
    }
}
