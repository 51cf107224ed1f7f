//! Entity references (`[kind:][namespace/]name`, portolan-catalog's
//! `EntityRef::parse`): the first line of the input is the reference, the
//! field's default kind is absent or `Group`.

use portolan_catalog::entity_ref::EntityRef;

pub fn entity_ref(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let written = text.lines().next().unwrap_or("");
    for default_kind in [None, Some("Group")] {
        let Ok(parsed) = EntityRef::parse(written, default_kind, "default") else {
            continue;
        };
        assert!(
            !parsed.kind.is_empty() && !parsed.namespace.is_empty() && !parsed.name.is_empty(),
            "{written:?} parsed with an empty part: {parsed:?}"
        );
        assert!(
            !parsed.name.contains([':', '/']) && !parsed.namespace.contains('/'),
            "{written:?} parsed into parts holding separators: {parsed:?}"
        );
        // What portolan writes (catalog.json, messages) reads back as the
        // same entity, with or without a default kind.
        let shown = parsed.to_string();
        let again = EntityRef::parse(&shown, None, "elsewhere").unwrap_or_else(|e| {
            panic!("{written:?} is shown as {shown:?}, which does not parse: {e}")
        });
        assert_eq!(
            again.key(),
            parsed.key(),
            "{written:?} is shown as {shown:?}, which names another entity"
        );
        assert_eq!(
            again.to_string(),
            shown,
            "showing {written:?} is not stable"
        );
        // So does the lookup key itself.
        let key = parsed.key();
        let from_key = EntityRef::parse(key.as_str(), None, "elsewhere")
            .unwrap_or_else(|e| panic!("the key {key} of {written:?} does not parse: {e}"));
        assert_eq!(
            from_key.key(),
            key,
            "the key {key} of {written:?} names another entity"
        );
    }
}
