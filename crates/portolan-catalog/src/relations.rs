//! Relation types and the spec fields they come from, per Backstage's
//! built-in kinds (https://backstage.io/docs/features/software-catalog/well-known-relations).

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum RelationType {
    OwnedBy,
    OwnerOf,
    PartOf,
    HasPart,
    ProvidesApi,
    ApiProvidedBy,
    ConsumesApi,
    ApiConsumedBy,
    DependsOn,
    DependencyOf,
    ParentOf,
    ChildOf,
    MemberOf,
    HasMember,
}

impl RelationType {
    pub fn inverse(self) -> RelationType {
        use RelationType::*;
        match self {
            OwnedBy => OwnerOf,
            OwnerOf => OwnedBy,
            PartOf => HasPart,
            HasPart => PartOf,
            ProvidesApi => ApiProvidedBy,
            ApiProvidedBy => ProvidesApi,
            ConsumesApi => ApiConsumedBy,
            ApiConsumedBy => ConsumesApi,
            DependsOn => DependencyOf,
            DependencyOf => DependsOn,
            ParentOf => ChildOf,
            ChildOf => ParentOf,
            MemberOf => HasMember,
            HasMember => MemberOf,
        }
    }

    /// Backstage's name for the relation.
    pub fn as_str(self) -> &'static str {
        use RelationType::*;
        match self {
            OwnedBy => "ownedBy",
            OwnerOf => "ownerOf",
            PartOf => "partOf",
            HasPart => "hasPart",
            ProvidesApi => "providesApi",
            ApiProvidedBy => "apiProvidedBy",
            ConsumesApi => "consumesApi",
            ApiConsumedBy => "apiConsumedBy",
            DependsOn => "dependsOn",
            DependencyOf => "dependencyOf",
            ParentOf => "parentOf",
            ChildOf => "childOf",
            MemberOf => "memberOf",
            HasMember => "hasMember",
        }
    }
}

/// A spec field that holds entity references.
#[derive(Debug, Clone, Copy)]
pub struct RelationField {
    /// Field under `spec`.
    pub field: &'static str,
    /// Whether the field holds a list of references (else one).
    pub many: bool,
    /// Kind assumed when a reference omits it; `None`: the kind is required.
    pub default_kind: Option<&'static str>,
    /// Kinds the target may have (lowercase); empty: any.
    pub target_kinds: &'static [&'static str],
    pub relation: RelationType,
}

const fn one(
    field: &'static str,
    default_kind: Option<&'static str>,
    target_kinds: &'static [&'static str],
    relation: RelationType,
) -> RelationField {
    RelationField {
        field,
        many: false,
        default_kind,
        target_kinds,
        relation,
    }
}

const fn many(
    field: &'static str,
    default_kind: Option<&'static str>,
    target_kinds: &'static [&'static str],
    relation: RelationType,
) -> RelationField {
    RelationField {
        field,
        many: true,
        default_kind,
        target_kinds,
        relation,
    }
}

const OWNER: RelationField = one(
    "owner",
    Some("Group"),
    &["group", "user"],
    RelationType::OwnedBy,
);
const SYSTEM: RelationField = one("system", Some("System"), &["system"], RelationType::PartOf);

const COMPONENT: &[RelationField] = &[
    OWNER,
    SYSTEM,
    one(
        "subcomponentOf",
        Some("Component"),
        &["component"],
        RelationType::PartOf,
    ),
    many(
        "providesApis",
        Some("API"),
        &["api"],
        RelationType::ProvidesApi,
    ),
    many(
        "consumesApis",
        Some("API"),
        &["api"],
        RelationType::ConsumesApi,
    ),
    many("dependsOn", None, &[], RelationType::DependsOn),
    many("dependencyOf", None, &[], RelationType::DependencyOf),
];
const API: &[RelationField] = &[OWNER, SYSTEM];
const RESOURCE: &[RelationField] = &[
    OWNER,
    SYSTEM,
    many("dependsOn", None, &[], RelationType::DependsOn),
    many("dependencyOf", None, &[], RelationType::DependencyOf),
];
const SYSTEM_FIELDS: &[RelationField] = &[
    OWNER,
    one("domain", Some("Domain"), &["domain"], RelationType::PartOf),
];
const DOMAIN: &[RelationField] = &[
    OWNER,
    one(
        "subdomainOf",
        Some("Domain"),
        &["domain"],
        RelationType::PartOf,
    ),
];
const GROUP: &[RelationField] = &[
    one("parent", Some("Group"), &["group"], RelationType::ChildOf),
    many(
        "children",
        Some("Group"),
        &["group"],
        RelationType::ParentOf,
    ),
    many("members", Some("User"), &["user"], RelationType::HasMember),
];
const USER: &[RelationField] = &[many(
    "memberOf",
    Some("Group"),
    &["group"],
    RelationType::MemberOf,
)];

/// The reference fields of a kind (lowercase kind name).
pub fn relation_fields(kind_lowercase: &str) -> &'static [RelationField] {
    match kind_lowercase {
        "component" => COMPONENT,
        "api" => API,
        "resource" => RESOURCE,
        "system" => SYSTEM_FIELDS,
        "domain" => DOMAIN,
        "group" => GROUP,
        "user" => USER,
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverses_are_involutions() {
        for field in [
            "component",
            "api",
            "resource",
            "system",
            "domain",
            "group",
            "user",
        ]
        .iter()
        .flat_map(|k| relation_fields(k))
        {
            assert_eq!(field.relation.inverse().inverse(), field.relation);
            assert_ne!(field.relation.inverse(), field.relation);
        }
    }
}
