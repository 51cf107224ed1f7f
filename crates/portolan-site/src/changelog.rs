//! An API's changelog in the portal: the "Changes" page beside its entity
//! page, an Atom feed of it, and the JSON the next build reads back as its
//! cache ([`portolan_diff::history`]). Dates come from the commits, never
//! the clock.

use std::collections::BTreeMap;

use portolan_core::history::{format_date, format_timestamp};
use portolan_diff::Level;
use portolan_diff::history::{Changelog, ChangelogEntry, Event};
use serde::Serialize;

/// Changelogs by entity ref (`api:default/payments`), as
/// [`portolan_diff::history::changelogs`] makes them.
pub type Changelogs = BTreeMap<String, Changelog>;

/// How many commits the entity page lists before "all changes".
const ON_ENTITY_PAGE: usize = 5;

/// Site paths of an API's changelog files, under its entity URL.
pub struct ChangelogPaths {
    /// The page's URL (`catalog/api/default/pets/changes/`).
    pub url: String,
    pub page: String,
    pub feed: String,
    pub json: String,
}

impl ChangelogPaths {
    pub fn of(entity_url: &str) -> Self {
        ChangelogPaths {
            url: format!("{entity_url}changes/"),
            page: format!("{entity_url}changes/index.html"),
            feed: format!("{entity_url}changes.atom"),
            json: format!("{entity_url}changes.json"),
        }
    }
}

/// One commit, for the templates.
#[derive(Debug, Serialize)]
pub struct EntryView {
    pub anchor: String,
    pub date: String,
    pub commit: String,
    pub short: String,
    /// `None` in audience builds.
    pub author: Option<String>,
    pub subject: Option<String>,
    /// `added`, `changed`, `removed`.
    pub event: &'static str,
    pub note: Option<String>,
    /// The highest level of its changes (`breaking`, `warning`, `info`).
    pub level: Option<&'static str>,
    pub breaking: usize,
    pub warnings: usize,
    pub infos: usize,
    pub changes: Vec<ChangeView>,
}

#[derive(Debug, Serialize)]
pub struct ChangeView {
    pub level: &'static str,
    pub code: String,
    pub message: String,
    pub operations: Vec<String>,
    pub place: Option<String>,
}

pub fn entry_view(entry: &ChangelogEntry, hide_commit_messages: bool) -> EntryView {
    EntryView {
        anchor: format!("commit-{}", entry.short_id()),
        date: format_date(entry.time),
        commit: entry.commit.clone(),
        short: entry.short_id().to_string(),
        author: (!hide_commit_messages).then(|| entry.author.clone()),
        subject: (!hide_commit_messages).then(|| entry.subject.clone()),
        event: event_name(entry.event),
        note: entry.note.clone(),
        level: entry.level().map(Level::as_str),
        breaking: entry.count(Level::Breaking),
        warnings: entry.count(Level::Warning),
        infos: entry.count(Level::Info),
        changes: entry
            .changes
            .iter()
            .map(|c| ChangeView {
                level: c.level.as_str(),
                code: c.code.clone(),
                message: c.message.clone(),
                operations: c.operations.clone(),
                place: c.file.as_ref().map(|file| match c.line {
                    Some(line) => format!("{file}:{line}"),
                    None => file.clone(),
                }),
            })
            .collect(),
    }
}

fn event_name(event: Event) -> &'static str {
    match event {
        Event::Added => "added",
        Event::Changed => "changed",
        Event::Removed => "removed",
    }
}

/// What the entity page shows of the changelog.
#[derive(Debug, Serialize)]
pub struct Summary {
    pub url: String,
    pub feed: String,
    pub json: String,
    pub count: usize,
    pub latest: Vec<EntryView>,
    pub latest_breaking: Option<String>,
}

pub fn summary(
    changelog: &Changelog,
    paths: &ChangelogPaths,
    hide_commit_messages: bool,
) -> Summary {
    Summary {
        url: paths.url.clone(),
        feed: paths.feed.clone(),
        json: paths.json.clone(),
        count: changelog.entries.len(),
        latest: changelog
            .entries
            .iter()
            .take(ON_ENTITY_PAGE)
            .map(|e| entry_view(e, hide_commit_messages))
            .collect(),
        latest_breaking: changelog.latest_breaking().map(|e| format_date(e.time)),
    }
}

/// A hash of what an entity's changelog shows, so `serve` re-renders the
/// entity's pages when it changes.
pub fn fingerprint(changelog: Option<&Changelog>, hide_commit_messages: bool) -> u64 {
    crate::memo::hash_of(changelog.map(|log| {
        (
            hide_commit_messages,
            log.head_time,
            log.entries
                .iter()
                .map(|e| (&e.commit, &e.key))
                .collect::<Vec<_>>(),
        )
    }))
}

/// Everything about the feed that is not an entry.
pub struct FeedHead<'a> {
    /// The API's ref, which names the feed (its id is made from it).
    pub api: &'a str,
    pub title: &'a str,
    /// The site's title: the feed's author (commit authors are the
    /// entries').
    pub site_title: &'a str,
    /// `base` + the page's and the feed's paths.
    pub page_url: String,
    pub feed_url: String,
}

/// The changelog as an Atom 1.0 feed (RFC 4287): one entry per commit,
/// newest first. Ids are `urn:uuid:`s made from the API's ref and the
/// commit id, so they stay the same across builds and base URLs; times are
/// the commits'.
pub fn atom_feed(head: &FeedHead<'_>, changelog: &Changelog, hide_commit_messages: bool) -> String {
    let updated = changelog
        .entries
        .iter()
        .map(|e| e.time)
        .max()
        .unwrap_or(changelog.head_time);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    out.push_str(&format!(
        "  <id>{}</id>\n",
        name_uuid(&format!("portolan changelog\n{}", head.api))
    ));
    out.push_str(&format!(
        "  <title>{}</title>\n",
        xml_escape(&format!("Changes to {}", head.title))
    ));
    out.push_str(&format!(
        "  <updated>{}</updated>\n",
        format_timestamp(updated)
    ));
    out.push_str(&format!(
        "  <author><name>{}</name></author>\n",
        xml_escape(head.site_title)
    ));
    out.push_str(&format!(
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        xml_escape(&head.feed_url)
    ));
    out.push_str(&format!(
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        xml_escape(&head.page_url)
    ));
    out.push_str("  <generator>portolan</generator>\n");
    for entry in &changelog.entries {
        let view = entry_view(entry, hide_commit_messages);
        out.push_str("  <entry>\n");
        out.push_str(&format!(
            "    <id>{}</id>\n",
            name_uuid(&format!(
                "portolan changelog\n{}\n{}",
                head.api, entry.commit
            ))
        ));
        let title = view
            .subject
            .clone()
            .unwrap_or_else(|| format!("Commit {}", view.short));
        out.push_str(&format!("    <title>{}</title>\n", xml_escape(&title)));
        out.push_str(&format!(
            "    <updated>{}</updated>\n",
            format_timestamp(entry.time)
        ));
        if let Some(author) = view.author.as_deref().filter(|a| !a.trim().is_empty()) {
            out.push_str(&format!(
                "    <author><name>{}</name></author>\n",
                xml_escape(author)
            ));
        }
        out.push_str(&format!(
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}#{}\"/>\n",
            xml_escape(&head.page_url),
            view.anchor
        ));
        if let Some(level) = view.level {
            out.push_str(&format!("    <category term=\"{level}\"/>\n"));
        }
        out.push_str(&format!(
            "    <content type=\"text\">{}</content>\n",
            xml_escape(&entry_text(&view))
        ));
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

/// An entry's changes as plain text, one a line.
fn entry_text(view: &EntryView) -> String {
    let mut text = format!("Commit {}", view.short);
    match view.event {
        "added" => text.push_str(": the API was added."),
        "removed" => text.push_str(": the definition's root file was removed."),
        _ if view.changes.is_empty() && view.note.is_none() => {
            text.push_str(": no change a client would notice.")
        }
        _ => text.push(':'),
    }
    if let Some(note) = &view.note {
        text.push_str(&format!(" {note}."));
    }
    for change in &view.changes {
        text.push_str(&format!(
            "\n{} {}: {}",
            change.level, change.code, change.message
        ));
    }
    text
}

/// A name-based UUID (version 5: SHA-1, RFC 9562) of `name`, as a URN.
fn name_uuid(name: &str) -> String {
    let hash = git2::Oid::hash_object(git2::ObjectType::Blob, name.as_bytes())
        .map(|oid| oid.as_bytes().to_vec())
        .unwrap_or_else(|_| vec![0; 20]);
    let mut b = [0u8; 16];
    b.copy_from_slice(&hash[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// Text and attribute values in XML: the five predefined entities, and
/// characters XML 1.0 does not allow (C0 controls but tab and newline)
/// dropped, so a commit subject cannot make the feed ill-formed.
fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_version_5_and_stable() {
        let id = name_uuid("x");
        assert_eq!(id, name_uuid("x"));
        assert_ne!(id, name_uuid("y"));
        let hex = id.strip_prefix("urn:uuid:").unwrap();
        assert_eq!(hex.len(), 36);
        assert_eq!(&hex[14..15], "5");
        assert!(matches!(&hex[19..20], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn control_characters_leave_the_feed() {
        assert_eq!(xml_escape("a\u{1}<b>&\"'"), "a&lt;b&gt;&amp;&quot;&apos;");
    }
}
