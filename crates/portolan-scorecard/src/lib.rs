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
    /// the portal). Without, rules carry their state alone: enough for
    /// levels, gates and expired waivers (`check`).
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
    let (facts, scores) = score_loaded(&loaded, source, checked, policies, options, cache);
    Scored {
        loaded,
        facts,
        scores,
    }
}

/// Score every entity of `checked` on scorecards already loaded (those of
/// another revision: the portal's trends score past revisions of the
/// catalog with today's scorecards). `source` is the catalog `checked`
/// was read from (for CODEOWNERS). Returns each entity's facts and, per
/// scorecard, the entities it selects with their score.
#[allow(clippy::type_complexity)]
pub fn score_loaded(
    loaded: &LoadedScorecards,
    source: &dyn Source,
    checked: &Checked,
    policies: &[Policy],
    options: &ScoreOptions,
    cache: Option<&mut git::GitFactsCache>,
) -> (Vec<Facts>, Vec<Vec<(EntityId, EntityScore)>>) {
    let all_facts = facts_for(loaded, source, checked, options, cache);
    let scores = per_scorecard(loaded, checked, &all_facts, |scorecard, id, subject| {
        (
            id,
            evaluate::score_entity(scorecard, subject, policies, options.today, options.reasons),
        )
    });
    (all_facts, scores)
}

/// Per scorecard, the level of each entity it selects ([`score_loaded`]'s
/// levels, without rule results: what a trend counts).
pub fn score_levels(
    loaded: &LoadedScorecards,
    source: &dyn Source,
    checked: &Checked,
    policies: &[Policy],
    options: &ScoreOptions,
    cache: Option<&mut git::GitFactsCache>,
) -> Vec<Vec<Option<usize>>> {
    let all_facts = facts_for(loaded, source, checked, options, cache);
    per_scorecard(loaded, checked, &all_facts, |scorecard, _, subject| {
        evaluate::level_of(scorecard, subject, policies, options.today)
    })
}

/// `score` of every entity each scorecard scores, per scorecard, in
/// entity order (in parallel).
fn per_scorecard<T: Send>(
    loaded: &LoadedScorecards,
    checked: &Checked,
    all_facts: &[Facts],
    score: impl Fn(&file::Scorecard, EntityId, &evaluate::Subject<'_>) -> T + Sync,
) -> Vec<Vec<T>> {
    loaded
        .scorecards
        .iter()
        .map(|scorecard| {
            scored_by(scorecard, checked)
                .map(|(id, entity)| {
                    score(
                        scorecard,
                        id,
                        &evaluate::Subject::new(entity, &all_facts[id]),
                    )
                })
                .collect()
        })
        .collect()
}

/// The entities `scorecard` scores, with their ids: those its selector
/// selects, each identity once (a duplicate definition, R004, is not
/// scored again).
fn scored_by<'c>(
    scorecard: &'c file::Scorecard,
    checked: &'c Checked,
) -> impl ParallelIterator<Item = (EntityId, &'c portolan_catalog::Entity)> + 'c {
    checked
        .catalog
        .entities
        .par_iter()
        .enumerate()
        .filter(move |(id, entity)| {
            entity.has_identity()
                && checked.catalog.index.get(entity.key_ref()) == Some(id)
                && portolan_check::policy::selector_matches(&scorecard.selector, entity)
        })
}

/// Each entity's facts (empty for those no scorecard selects unless
/// `options.all_facts`).
fn facts_for(
    loaded: &LoadedScorecards,
    source: &dyn Source,
    checked: &Checked,
    options: &ScoreOptions,
    cache: Option<&mut git::GitFactsCache>,
) -> Vec<Facts> {
    let entities = &checked.catalog.entities;
    let needs_facts = options.all_facts || !loaded.scorecards.is_empty();
    if !needs_facts {
        return Vec::new();
    }
    // Without `all_facts` (check), only the entities a scorecard selects
    // get facts, and only the facts a rule reads are kept (a schema rule
    // reads them all).
    let scored_entity: Vec<bool> = entities
        .iter()
        .map(|entity| {
            options.all_facts
                || loaded
                    .scorecards
                    .iter()
                    .any(|card| portolan_check::policy::selector_matches(&card.selector, entity))
        })
        .collect();
    let read_facts: Option<BTreeSet<&str>> = if options.all_facts
        || loaded
            .scorecards
            .iter()
            .flat_map(|s| &s.rules)
            .any(|r| matches!(r.check, file::RuleCheck::Schema(_)))
    {
        None
    } else {
        Some(
            loaded
                .scorecards
                .iter()
                .flat_map(|s| &s.rules)
                .filter_map(|r| match &r.check {
                    file::RuleCheck::Fact { fact, .. } => Some(fact.name),
                    _ => None,
                })
                // Reports show, and `--group` filters by, the owner.
                .chain(["owner"])
                .collect(),
        )
    };
    let needs_git = options.all_facts
        || loaded
            .scorecards
            .iter()
            .flat_map(|s| &s.rules)
            .any(|r| match &r.check {
                file::RuleCheck::Fact { fact, .. } => fact.name.starts_with("git."),
                file::RuleCheck::Schema(_) => true,
                file::RuleCheck::Policy(_) => false,
            });
    let (git, codeowners) = if needs_git {
        let git = options.git.as_ref().and_then(|(root, rev)| {
            let paths: BTreeSet<String> = (0..entities.len())
                .filter(|&id| scored_entity[id])
                .flat_map(|id| facts::entity_files(checked, id))
                .collect();
            match cache {
                Some(cache) => cache.collect(root, rev, &paths, options.max_git_commits),
                None => git::GitFacts::collect(root, rev, &paths, options.max_git_commits)
                    .map(std::sync::Arc::new),
            }
        });
        (git, git::CodeOwners::read(source))
    } else {
        (None, None)
    };
    let context = facts::FactContext::new(checked, git, codeowners);
    let all_facts: Vec<Facts> = (0..entities.len())
        .into_par_iter()
        .map(|id| {
            if !scored_entity[id] {
                return Facts::new();
            }
            let mut facts = context.facts(id);
            if let Some(read) = &read_facts {
                facts.retain(|name, _| read.contains(name));
            }
            facts
        })
        .collect();
    all_facts
}

impl Scored {
    /// The scorecard named `name`: its id or its name, case-insensitively.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.loaded
            .scorecards
            .iter()
            .position(|s| s.id.eq_ignore_ascii_case(name) || s.name.eq_ignore_ascii_case(name))
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
