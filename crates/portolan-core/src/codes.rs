//! The registry of every built-in diagnostic code: its default severity, a
//! one-line summary and the explanation `portolan check --explain CODE`
//! prints. Codes are stable: scripts and `[rules]` overrides rely on them.
//!
//! Prefixes: `Y` reading and parsing files, `F` paths and substitutions,
//! `E` one entity's shape and format, `R` references and cross-entity rules,
//! `A` API definitions (OpenAPI, AsyncAPI), `C` contract changes between two
//! revisions of an API definition (`portolan diff`), `L` API design lint
//! (`crates/portolan-lint`, which holds each rule's presets), `D` docs, `T` the
//! theme, `P` user policies, `S` scorecards.

use crate::diagnostic::Severity;

#[derive(Debug, PartialEq, Eq)]
pub struct Code {
    pub code: &'static str,
    /// kebab-case name, also accepted by `--explain`.
    pub name: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    pub explanation: &'static str,
}

macro_rules! codes {
    ($($ident:ident = $code:literal, $name:literal, $sev:ident, $summary:literal, $explanation:literal;)*) => {
        $(
            #[doc = $summary]
            pub const $ident: Code = Code {
                code: $code,
                name: $name,
                severity: Severity::$sev,
                summary: $summary,
                explanation: $explanation,
            };
        )*
        /// Every built-in code, in code order.
        pub const ALL: &[&Code] = &[$(&$ident),*];
    };
}

codes! {
    YAML_SYNTAX = "Y001", "yaml-syntax", Error,
        "The file is not valid YAML.",
        "The YAML parser could not read the file at the marked position. The document holding the error is skipped; documents after the next `---` line are still read, so one typo does not hide the rest of the file. Common causes: a tab used for indentation (YAML allows only spaces), an unclosed quote or bracket, a `key: value` line indented differently from its siblings, or a value containing `: ` that needs quoting.";
    DUPLICATE_KEY = "Y002", "duplicate-key", Error,
        "A mapping has the same key twice.",
        "YAML requires keys of a mapping to be unique. Many parsers silently keep the last value, so one of the two definitions is lost without a word; Backstage's parser rejects the file. portolan keeps the first value and reports the second. Remove or rename one of the keys.";
    INVALID_UTF8 = "Y003", "invalid-utf8", Error,
        "The file is not valid UTF-8.",
        "Catalog files must be UTF-8 text. The marked byte starts a sequence that is not valid UTF-8; the file was probably saved in another encoding (Latin-1, UTF-16) or is binary. Re-save it as UTF-8.";
    ALIAS_LIMIT = "Y004", "alias-limit", Error,
        "Alias expansion is too large (a YAML bomb).",
        "YAML anchors (`&a`) and aliases (`*a`) let a small file describe an enormous tree: nine aliases of nine aliases of ... expand to billions of nodes (the \"billion laughs\" attack). portolan caps what aliases may add to one document — 100,000 nodes, and 16 MiB of text (`max_expanded_size` under `[limits]` in portolan.toml, at most 256 MiB), so one large scalar aliased thousands of times is stopped too — and drops the expansion that goes past it. Catalog files should not need more than a handful of aliases; write the values out instead.";
    TOO_DEEP = "Y005", "nesting-too-deep", Error,
        "The document nests too deeply.",
        "Sequences and mappings nested more deeply than the limit (128 levels; `max_depth` under `[limits]` in portolan.toml may lower it) are not read; the nested part is replaced by null. No real descriptor or API definition comes near this depth, and bounding it keeps every later stage safe from stack exhaustion on hostile input.";
    FILE_TOO_LARGE = "Y006", "file-too-large", Error,
        "The file is larger than the size limit.",
        "Files larger than the limit are not read, so one generated or accidentally committed blob cannot stall a CI run. The default limit is 32 MiB; raise it with `max_file_size` (bytes, at most 1 GiB) under `[limits]` in portolan.toml if a genuine file needs more.";
    NOT_AN_ENTITY = "Y007", "not-an-entity", Error,
        "A document named on the command line is not an entity.",
        "Files passed to `portolan check FILES...` are always read as catalog descriptors. Every non-empty document in them must be a mapping with `apiVersion`, `kind`, `metadata` and (for most kinds) `spec`. Discovered files that hold no entity-shaped documents are skipped silently instead, so unrelated YAML named `catalog-info.yaml` does not fail a build.";
    COMPLEX_KEY = "Y008", "complex-key", Error,
        "A mapping key is itself a mapping or sequence.",
        "YAML allows `? [a, b]: value`, but catalog entities and API definitions are JSON-shaped, where every key is a string. The entry is ignored.";
    READ_FAILED = "Y009", "read-failed", Error,
        "A file could not be read.",
        "The file exists in the catalog but reading it failed (permissions, an I/O error, or an object missing from the git repository). The message carries the cause.";
    CONTROL_CHARACTER = "Y010", "control-character", Error,
        "The file holds a control character YAML does not allow.",
        "YAML 1.2 allows only printable characters (section 5.1): tab, line feed, carriage return and printable Unicode. C0 control characters (a NUL byte, BEL, ESC, ...) are allowed nowhere, not even in quoted strings, where a value that needs one writes an escape such as `\"\\x07\"`; DEL, the C1 controls and U+FFFE/U+FFFF are allowed only inside quoted strings. Such a character usually means a binary or corrupted file, or text pasted from a terminal. The document holding it is skipped, as with a syntax error, and the documents after it are still read (a NUL byte would otherwise end the file for the YAML parser and hide everything after it). One finding per line, for the first ten lines that hold one.";
    TOO_MANY_DOCUMENTS = "Y011", "too-many-documents", Error,
        "The file holds more YAML documents than the limit.",
        "One file may hold many documents separated by `---` lines, and portolan reads them in time and memory proportional to the file. The number is still bounded (100,000 documents by default; `max_documents_per_file` under `[limits]` in portolan.toml, at most 1,000,000), so a stream of millions of empty documents cannot make a CI runner spend memory on nothing. The documents up to the limit are read and checked; the finding points at the first one that is not. Split a generated file that needs more, one file per team or per kind.";
    FILE_NOT_FOUND = "F001", "file-not-found", Error,
        "A path named in a descriptor does not exist.",
        "A `$text`, `$json` or `$yaml` substitution names a file that is not in the catalog root. Paths are relative to the file that contains the substitution. Check the spelling and that the file is committed (and not ignored by `.gitignore`).";
    PATH_ESCAPES_ROOT = "F002", "path-escapes-root", Error,
        "A path leaves the catalog root.",
        "Every path a descriptor names is resolved inside the catalog root. A path with enough `..` segments to climb above it, an absolute path, or a symbolic link pointing outside it is refused, so a catalog cannot read arbitrary files of the machine that builds it (for example a CI runner's secrets).";
    REMOTE_NOT_FETCHED = "F003", "remote-not-fetched", Warning,
        "A remote URL is referenced and not fetched.",
        "portolan reads the catalog root and the repositories `[[sources]]` in portolan.toml maps, never an arbitrary URL: builds must be reproducible and must work on an air-gapped runner. A `$text`/`$json`/`$yaml` substitution with an `http(s)://` URL, or a Location target URL that no `[[sources]]` entry maps, is left out and reported here with the URL. Vendor the file into the repository and use a relative path to include it, or map the repository's URL prefix to where it is on disk with `[[sources]]` (`url`, `path`; `--fetch` clones it).";
    SOURCE_UNAVAILABLE = "F005", "source-unavailable", Error,
        "A Location target URL maps to a repository that cannot be read.",
        "A `[[sources]]` entry of portolan.toml maps the URL's prefix, but the repository it names cannot be read: it is not on disk at the entry's `path` (or, without `path`, not in the fetch cache: run with `--fetch`), its `path` is outside the catalog root and no `--allow-read` directory holds it, the ref the URL names does not resolve, the fetch failed, or the URL names no repository. The rest of the catalog is still read; the entities of that repository are missing until it can be read.";
    INVALID_SUBSTITUTION = "F004", "invalid-substitution", Error,
        "A `$json`/`$yaml` substitution could not be parsed, or is malformed.",
        "The file named by a `$json` or `$yaml` substitution must parse as JSON or YAML, and the substitution itself must be a mapping with exactly one key (`$text`, `$json` or `$yaml`) whose value is a string path.";
    SCHEMA = "E001", "schema", Error,
        "The entity does not match the schema of its kind.",
        "Every entity is validated against portolan's JSON Schemas (in `catalog-schema/`, Draft 2020-12): the envelope shared by all kinds, then the schema of its kind. The schemas follow Backstage's own validators, so an entity reported here is one Backstage would also reject. The marked node is the one that fails; the message says what was expected.";
    INVALID_NAME = "E002", "invalid-name", Error,
        "`metadata.name` has an invalid format.",
        "An entity name must be 1 to 63 characters of `[a-zA-Z0-9-_.]`, starting and ending with a letter or digit. Example: `payments-api`, `orders_v2`. Names are compared case-insensitively within a kind and namespace.";
    INVALID_NAMESPACE = "E003", "invalid-namespace", Error,
        "`metadata.namespace` has an invalid format.",
        "A namespace must be a DNS label: 1 to 63 characters of lowercase `[a-z0-9-]`, starting and ending with a letter or digit. Omit it to use `default`.";
    INVALID_KIND = "E004", "invalid-kind", Error,
        "`kind` has an invalid format.",
        "A kind must be 1 to 63 characters: a letter followed by letters and digits (`Component`, `API`).";
    INVALID_API_VERSION = "E005", "invalid-api-version", Error,
        "`apiVersion` has an invalid format.",
        "An apiVersion is `group/version`, where the group is a DNS subdomain (`backstage.io`) and the version matches the entity name format (`v1alpha1`).";
    INVALID_LABEL = "E006", "invalid-label", Error,
        "A label key or value has an invalid format.",
        "Label keys are an optional DNS-subdomain prefix and `/`, then a name in the entity-name format (up to 63 characters). Values must be strings that are empty or follow the entity-name format. Use annotations for free-form values.";
    INVALID_ANNOTATION = "E007", "invalid-annotation", Error,
        "An annotation key or value is invalid.",
        "Annotation keys follow the label-key format (`prefix/name`, e.g. `backstage.io/techdocs-ref`). Values may be any string, but must be strings: quote numbers and booleans.";
    INVALID_TAG = "E008", "invalid-tag", Error,
        "A tag has an invalid format.",
        "Tags are 1 to 63 characters of lowercase `[a-z0-9:+#]`, separated by single `-`. Example: `java`, `tier-1`, `c++`, `team:payments`.";
    FOREIGN_ROOT_FIELD = "E009", "foreign-root-field", Error,
        "The entity has a top-level field Backstage does not allow.",
        "A descriptor's root may only hold `apiVersion`, `kind`, `metadata` and `spec` (`relations` and `status` are computed by the catalog, not written in descriptors). A field next to them is usually an indentation mistake: it belongs under `metadata` or `spec`.";
    UNKNOWN_KIND = "E010", "unknown-kind", Warning,
        "The entity's kind is not one of the core Backstage kinds.",
        "portolan checks and renders the core kinds (Component, API, Resource, System, Domain, Group, User, Location). Other kinds, such as Template or kinds added by plugins, are kept and listed with only the envelope validated. Silence this with `\"E010\" = \"off\"` under `[rules]` in portolan.toml.";
    INVALID_REF = "E011", "invalid-entity-ref", Warning,
        "An entity reference cannot be parsed.",
        "Entity references have the form `[kind:][namespace/]name`, e.g. `group:default/payments`, `payments`, `user:jdoe`. Where a field has no default kind (such as `dependsOn`), the kind is required. Backstage validates descriptors before it resolves references, so it accepts such a descriptor and then fails to build the relation; portolan reports it as a warning by default (make it an error with `\"E011\" = \"error\"` under `[rules]`).";
    DANGLING_REF = "R001", "dangling-reference", Warning,
        "A reference points at an entity that is not in the catalog.",
        "A relation field (`owner`, `system`, `domain`, `providesApis`, `consumesApis`, `dependsOn`, `memberOf`, `parent`, `children`, ...) names an entity that no descriptor defines. Backstage accepts such references and shows a broken link; portolan reports them. Make it an error with `\"R001\" = \"error\"` under `[rules]`.";
    LOCATION_TARGET_MISSING = "R002", "location-target-missing", Warning,
        "A Location's target does not exist.",
        "A Location entity's `target` or `targets` names a file (or a glob matching no file) that is not in the catalog root. Targets are relative to the Location's own file. Mark optional targets with `presence: optional`.";
    API_NOT_PROVIDED = "R003", "api-not-provided", Warning,
        "No component provides this API.",
        "An API entity that no Component or Resource lists in `providesApis` has no owner service in the catalog's graph; readers cannot tell what serves it.";
    DUPLICATE_ENTITY = "R004", "duplicate-entity", Warning,
        "Two descriptors define the same entity.",
        "Entity identity is kind + namespace + name, compared case-insensitively. When two documents define the same entity, Backstage keeps one and reports a conflict on the other; which one wins depends on processing order. portolan keeps the first in path order and reports the second.";
    RELATION_MISMATCH = "R005", "relation-mismatch", Warning,
        "Two entities disagree about a relation.",
        "A Group lists a child whose `parent` names another group, or similar one-sided hierarchy data. Backstage derives relations from both sides, so the hierarchy shown depends on which side you read.";
    API_UNSUPPORTED = "A001", "api-unsupported", Error,
        "The API definition is not a supported specification.",
        "portolan reads OpenAPI 2.0 (Swagger), 3.0.x and 3.1.x, and AsyncAPI 2.0-2.6 and 3.0.x, in YAML or JSON. The definition declares another version (AsyncAPI 1.x, OpenAPI 3.2, ...) or no recognisable `openapi`/`swagger`/`asyncapi` field. GraphQL and gRPC (protobuf) definitions are not an error: they are kept as source text and shown as such.";
    REF_NOT_FOUND = "A002", "ref-not-found", Error,
        "A `$ref` points at nothing.",
        "The file a `$ref` names does not exist in the catalog root, or the JSON pointer after `#` does not lead to a node in it. Paths are relative to the file holding the `$ref`; pointer segments escape `/` as `~1` and `~` as `~0`, and may be percent-encoded.";
    REF_REMOTE = "A003", "ref-remote", Warning,
        "A `$ref` points at a remote URL, which is not fetched.",
        "portolan never reaches the network, so builds are reproducible and work on an air-gapped runner. The referenced part of the definition is left out of checks and of the bundled document. Vendor the remote file into the repository and reference it with a relative path.";
    REF_CYCLE = "A004", "ref-cycle", Error,
        "`$ref`s point at each other in a loop that never reaches a value.",
        "A `$ref` whose target is itself only a `$ref`, and so on back to the first, describes nothing. (Recursive schemas, where a schema refers to itself from inside a property, are fine and supported.)";
    API_STRUCTURE = "A005", "api-structure", Error,
        "The API definition does not follow its specification's structure.",
        "A required field is missing, a field has the wrong type, or a value is not allowed where it appears, according to the OpenAPI or AsyncAPI version the document declares. The marked node is the one that fails.";
    DUPLICATE_OPERATION_ID = "A006", "duplicate-operation-id", Error,
        "Two operations share an `operationId`.",
        "`operationId` must be unique across the whole API: tools generate function names and links from it, and a duplicate makes one of the operations unreachable.";
    PATH_PARAMETER = "A007", "path-parameter", Error,
        "A path template and its path parameters disagree.",
        "Every `{name}` in a path template must be declared as a parameter with `in: path` (on the path item or the operation), and every `in: path` parameter must appear in the template, with `required: true`.";
    EQUIVALENT_PATHS = "A008", "equivalent-paths", Error,
        "Two paths differ only in their template parameter names.",
        "`/orders/{id}` and `/orders/{orderId}` match the same requests, so a server cannot tell which one is meant. The specification forbids such paths; merge them.";
    INVALID_RESPONSE_CODE = "A009", "invalid-response-code", Error,
        "A response key is not an HTTP status code.",
        "Response keys are a three-digit HTTP status code (`200`), a range (`2XX`), or `default`.";
    UNDEFINED_SECURITY_SCHEME = "A010", "undefined-security-scheme", Error,
        "A security requirement names a scheme that is not defined.",
        "Each name in a `security` requirement must be a key of `components.securitySchemes` (OpenAPI 3, AsyncAPI 2) or `securityDefinitions` (OpenAPI 2.0).";
    DISCRIMINATOR_MAPPING = "A011", "discriminator-mapping", Error,
        "A discriminator mapping points at a schema that does not exist.",
        "Values of `discriminator.mapping` are schema names or references; each must name a schema of the document. A reference is relative to the file it is written in, like a `$ref`, and is checked against the files the definition's `$ref`s load (a mapping value never makes portolan read a file). A reference that leaves the catalog root is reported as F002 and a remote one as A003.";
    ASYNCAPI_REFERENCE = "A012", "asyncapi-reference", Error,
        "An AsyncAPI operation, channel or message reference does not resolve.",
        "AsyncAPI 3 operations name their channel and messages by reference, and a reply names its channel too; each must point at a channel of `channels` and a message of that channel.";
    REF_NOT_ALLOWED = "A013", "ref-not-allowed", Error,
        "A `$ref` stands where the specification allows no Reference Object.",
        "OpenAPI allows Reference Objects only in certain places (schemas, parameters, responses, request bodies, headers, examples, links, callbacks, security schemes, path items). Elsewhere — an Operation Object (`get: {$ref: ...}`), a `properties` map, a string such as `tags[].description` — a `$ref` is, by the specification, just an unknown field. Many tools resolve it anyway, and so does portolan (the target is copied in, so the portal shows it), but other tools will not: move the content in place, or reference a whole path item instead. One finding per kind of place, at its first occurrence; silence with `\"A013\" = \"warning\"` under `[rules]` if your toolchain relies on it.";
    BINDING_STRUCTURE = "A014", "binding-structure", Warning,
        "An AsyncAPI protocol binding does not follow its binding's schema.",
        "Bindings (`bindings` of a server, channel, operation or message, their traits, and `components.*Bindings`) carry protocol-specific settings defined by the separate AsyncAPI bindings specifications, not by the core specification. portolan checks the Kafka bindings against theirs; a binding that breaks it is reported here, at the binding field, as a warning: the document itself is valid (the AsyncAPI parser and Backstage accept it), but tools that read the binding (code generators, Kafka clients configured from it) may not. Example: Backstage's streetlights example writes `clientId: my-app-id` in a Kafka operation binding, where the binding specification wants a Schema Object (`clientId: {type: string, enum: [my-app-id]}`). Make it an error with `\"A014\" = \"error\"` under `[rules]`.";
    REF_TOO_DEEP = "A015", "ref-too-deep", Error,
        "`$ref`s lead one to the next in a chain longer than the limit.",
        "A Reference Object whose target is itself only a Reference Object, and so on, is a chain; real definitions chain two or three (an alias of a shared schema). Chains longer than the limit (64 by default; `max_reference_depth` under `[limits]` in portolan.toml, at most 256) are reported at the first `$ref` past it, counted from the chain's start, which is shown too. Bundling stops there too: where a chain's targets are copied in place (references with no reusable home, such as a path item in OpenAPI 3.0), the references past the limit are left as written. Point the first `$ref` at the schema itself.";
    LINT_IGNORE_UNKNOWN = "A016", "lint-ignore-unknown", Warning,
        "An `x-lint-ignore` names no lint rule, or is not written as one.",
        "Any object of an API definition may carry `x-lint-ignore`: a lint rule (its code `L005`, name `operation-operation-id`, or a Spectral/Redocly alias), a list of them, or a mapping from rule to the reason it is ignored. The design lint then reports nothing for those rules on that object and everything under it. A name that is no rule would silently ignore nothing, so it is reported instead; so is a value of another shape.";
    LINT_BASELINE = "A017", "lint-baseline", Warning,
        "The lint baseline file cannot be read.",
        "`baseline` under `[lint]` in portolan.toml names a file, relative to the catalog root, listing the lint findings not to report: `{\"portolanLintBaseline\": 1, \"findings\": {\"L005 openapi.yaml#/paths/~1pets/get\": 1}}` (each finding's rule, file and JSON pointer, with how many there are). `portolan check --write-baseline` writes it from the current findings. This one is missing, is not JSON of that shape, or leaves the root; every lint finding is reported until it is fixed.";
    LINT_INFO_CONTACT = "L001", "info-contact", Warning,
        "Lint: the API's `info` has no `contact`.",
        "Design lint (documentation). `info.contact` tells consumers whom to ask about the API: a name, a URL or an email. Without it, people who find the API in the portal have no way to reach its owners except through the catalog. Add `contact: {name: ..., email: ...}` under `info`. Spectral: `info-contact`, `asyncapi-info-contact`. Applies to OpenAPI 2.0/3.x and AsyncAPI 2/3; on in the `recommended` preset.";
    LINT_INFO_DESCRIPTION = "L002", "info-description", Warning,
        "Lint: the API's `info` has no `description`.",
        "Design lint (documentation). `info.description` is the first paragraph a reader of the API's page sees: what the API is for, who may use it, how to authenticate. An empty or missing description leaves the page with a title only. Spectral: `info-description`, `asyncapi-info-description`; Redocly: `info-description`. On in `minimal` and `recommended`.";
    LINT_INFO_LICENSE = "L003", "info-license", Info,
        "Lint: the API's `info` has no `license`.",
        "Design lint (documentation). `info.license` says under which terms the API description may be used. Public APIs should state one; internal APIs often do not need to, so the finding is informational in `recommended` and a warning in `strict`. Spectral: `info-license`, `asyncapi-info-license`; Redocly: `info-license`.";
    LINT_OPERATION_DESCRIPTION = "L004", "operation-description", Warning,
        "Lint: an operation has neither a `description` nor a `summary`.",
        "Design lint (documentation). An operation with neither `description` nor `summary` appears in the portal and in generated clients as a bare method and path. An empty string counts as missing. (Spectral reports a missing `description` even when a `summary` says the same; portolan accepts either, since the portal shows either.) Spectral: `operation-description`, `asyncapi-operation-description`. AsyncAPI 2 `publish`/`subscribe` and AsyncAPI 3 operations are checked too.";
    LINT_OPERATION_ID = "L005", "operation-operation-id", Warning,
        "Lint: an operation has no `operationId`.",
        "Design lint (documentation). Code generators name functions after `operationId`, links address operations by it, and the portal uses it in stable anchors. Without it, generators invent names from the path that change when the path does. (Unique ids are checked by A006.) Spectral: `operation-operationId`, `asyncapi-operation-operationId`; Redocly: `operation-operationId`. OpenAPI and AsyncAPI 2 (AsyncAPI 3 names operations by their key).";
    LINT_OPERATION_ID_URL_SAFE = "L006", "operation-id-url-safe", Warning,
        "Lint: an `operationId` holds characters that are not URL-safe.",
        "Design lint (validity). Tools use `operationId` in URLs (documentation anchors, links) and as identifiers; characters outside `A-Z a-z 0-9 - . _ ~` (unreserved URL characters, RFC 3986 §2.3) must be escaped there and break generators. Spectral: `operation-operationId-url-safe`; Redocly: `operation-operationId-url-safe`.";
    LINT_OPERATION_TAGS = "L007", "operation-tags", Warning,
        "Lint: an operation has no tags.",
        "Design lint (documentation). Tags group operations in the portal's reference and in generated clients (one class per tag); an untagged operation ends up in a catch-all group. Give every operation at least one tag. Spectral: `operation-tags`; Redocly: `operation-tag-defined` covers the declared half (see L008).";
    LINT_OPERATION_TAG_DEFINED = "L008", "operation-tag-defined", Warning,
        "Lint: an operation uses a tag the document's `tags` does not declare.",
        "Design lint (validity). Tags used by operations should be declared in the root `tags` list, where they get a description and an order; an undeclared tag is usually a typo (`Pet` for `pets`). Only checked when the document declares tags at all. Spectral: `operation-tag-defined`; Redocly: `operation-tag-defined`.";
    LINT_TAG_DESCRIPTION = "L009", "tag-description", Info,
        "Lint: a declared tag has no `description`.",
        "Design lint (documentation). The portal shows a tag's description at the head of its group of operations. Spectral: `tag-description`, `asyncapi-tag-description`; Redocly: `tag-description`. Informational in `recommended`, a warning in `strict`.";
    LINT_OPERATION_SUCCESS_RESPONSE = "L010", "operation-success-response", Warning,
        "Lint: an operation has no success (2xx or 3xx) response.",
        "Design lint (responses). Every operation should say what it returns when it works: at least one `2xx` or `3xx` response (or the ranges `2XX`/`3XX`). A `default` response alone does not say which status to expect. Spectral: `operation-success-response`; Redocly: `operation-2xx-response`.";
    LINT_OPERATION_4XX_RESPONSE = "L011", "operation-4xx-response", Warning,
        "Lint: an operation declares no 4xx response.",
        "Design lint (responses). Clients need to know how a request can be refused (validation errors, missing authentication, not found): declare at least one `4xx` response (or `4XX`, or a `default` response, which covers errors). Redocly: `operation-4xx-response`.";
    LINT_SERVERS = "L012", "servers-defined", Warning,
        "Lint: the document declares no servers.",
        "Design lint (validity). Without `servers` (OpenAPI 3.x, AsyncAPI) or `host` (OpenAPI 2.0), clients and the portal's examples have no base URL: OpenAPI then assumes `/` on the host that served the document, which is rarely what is meant. Spectral: `oas3-api-servers`, `oas2-api-host`, `asyncapi-servers`; Redocly: `no-empty-servers`.";
    LINT_SERVER_TRAILING_SLASH = "L013", "server-trailing-slash", Warning,
        "Lint: a server URL ends with `/`.",
        "Design lint (validity). Paths start with `/`; a server URL that ends with one makes every operation's URL hold `//`. Write `https://api.example.com/v1`, not `https://api.example.com/v1/`. Spectral: `oas3-server-trailing-slash`; Redocly: `no-server-trailing-slash`.";
    LINT_PATH_TRAILING_SLASH = "L014", "path-trailing-slash", Warning,
        "Lint: a path key (or channel address) ends with `/`.",
        "Design lint (validity). `/pets/` and `/pets` are different URLs for most servers and routers; by convention paths have no trailing slash, and one written by mistake makes clients call a URL that the server redirects or refuses. AsyncAPI channel addresses (2.x channel keys, 3.0 `address`) are checked too. Spectral: `path-keys-no-trailing-slash`, `asyncapi-channel-no-trailing-slash`; Redocly: `no-path-trailing-slash`.";
    LINT_PATH_QUERY = "L015", "path-query-string", Warning,
        "Lint: a path key (or channel address) holds a query string or fragment.",
        "Design lint (validity). Paths are the path part of the URL only: query parameters are declared as parameters with `in: query`, and `?` or `#` in a path key makes it a different, unreachable path for tools. AsyncAPI channel addresses (2.x channel keys, 3.0 `address`) are checked too. Spectral: `path-not-include-query`, `asyncapi-channel-no-query-nor-fragment`; Redocly: `path-not-include-query`.";
    LINT_REF_SIBLINGS = "L016", "ref-siblings", Warning,
        "Lint: a `$ref` has sibling keys that are ignored.",
        "Design lint (validity). In OpenAPI 2.0 and 3.0 (and in AsyncAPI), a Reference Object is replaced by its target and every key next to `$ref` is ignored, so a `description` or `nullable` written beside it has no effect — often not what the author meant. Wrap the reference in `allOf: [{$ref: ...}]` to add keys. OpenAPI 3.1 allows siblings (`description` and `summary` in Reference Objects, anything in schemas), so 3.1 is not checked. Extensions (`x-...`) are not reported. Spectral: `no-$ref-siblings`; Redocly: `no-ref-siblings`.";
    LINT_TYPED_ENUM = "L017", "typed-enum", Warning,
        "Lint: an `enum` value does not match the schema's `type`.",
        "Design lint (validity). Every value of a schema's `enum` must be of its `type` (`type: integer` with `enum: [1, \"2\"]`): a value of another type can never be valid, and code generators emit broken enumerations. `null` is accepted when the schema is nullable (3.0 `nullable: true`, or `null` in a 3.1 type array). Spectral: `typed-enum`.";
    LINT_DUPLICATED_ENUM = "L018", "duplicated-enum-entry", Warning,
        "Lint: an `enum` lists the same value twice.",
        "Design lint (validity). JSON Schema says enum values SHOULD be unique; a duplicate is usually a copy-paste slip and makes code generators emit two constants with one name. Values are compared as JSON (`1` and `1.0` are the same number). Spectral: `duplicated-entry-in-enum`.";
    LINT_UNUSED_COMPONENT = "L019", "unused-component", Warning,
        "Lint: a reusable component is referenced from nowhere.",
        "Design lint (validity). A component under `components` (OpenAPI 3.x, AsyncAPI) or `definitions`, `parameters`, `responses` (OpenAPI 2.0) that no `$ref` reaches from the rest of the document is dead weight, often a leftover of a rename. Security schemes are used by name, not by `$ref`, and are not checked here. Spectral: `oas3-unused-component`, `oas2-unused-definition`, `asyncapi-unused-components-schema`; Redocly: `no-unused-components`.";
    LINT_ARRAY_ITEMS = "L020", "array-items", Warning,
        "Lint: a schema of `type: array` has no `items`.",
        "Design lint (validity). An array schema without `items` allows anything in the array, which is rarely meant and gives code generators nothing to type the elements with (OpenAPI 3.0 even requires `items` when `type` is `array`). Spectral: `array-items`.";
    LINT_SERVER_VARIABLES = "L021", "server-variables", Warning,
        "Lint: a server URL's variables and its `variables` do not match.",
        "Design lint (validity). Every `{name}` in a server URL must be declared under the server's `variables` (or the URL cannot be made), every declared variable should be used, an `enum` must not be empty, and a `default` must be one of the `enum` values. OpenAPI 3.x and AsyncAPI. Spectral: `oas3-server-variables`, `asyncapi-server-variables`; Redocly: `no-undefined-server-variable`, `no-server-variables-empty-enum`.";
    LINT_PARAMETER_DESCRIPTION = "L022", "parameter-description", Info,
        "Lint: a parameter has no `description`.",
        "Design lint (documentation). Parameters are the part of an operation clients get wrong most: say what each one means, its unit and its default. Spectral: `oas3-parameter-description`, `oas2-parameter-description`, `asyncapi-parameter-description`; Redocly: `parameter-description`. Informational in `recommended`, a warning in `strict`.";
    LINT_OPERATION_SUMMARY = "L023", "operation-summary", Info,
        "Lint: an operation has no `summary`.",
        "Design lint (documentation). The summary is the operation's one-line title in the portal's navigation and in generated clients' docs. Redocly: `operation-summary`. Informational in `recommended`, a warning in `strict`.";
    LINT_VALID_EXAMPLE = "L024", "valid-example", Warning,
        "Lint: an example does not match its schema.",
        "Design lint (validity). Examples (a schema's `example`/`examples`, a media type's or parameter's `example` and the `value` of its `examples`) are what readers copy; one that the schema rejects teaches a wrong request. The check follows the context: a request example may leave out `readOnly` properties, a response example may leave out `writeOnly` ones; OpenAPI 3.0 `nullable: true` allows `null`; 3.1 type arrays (`[string, \"null\"]`) are read as such. Checked: `type`, `enum`, `const`, `required`, `properties`, `additionalProperties: false`, `items`, `allOf`/`anyOf`/`oneOf`, length, size and range bounds (a `pattern` is not checked). Spectral: `oas3-valid-media-example`, `oas3-valid-schema-example`, `oas2-valid-schema-example`, `oas2-valid-media-example`; Redocly: `no-invalid-media-type-examples`, `no-invalid-schema-examples`.";
    LINT_PATH_CASING = "L025", "path-casing", Warning,
        "Lint: a path segment is not kebab-case.",
        "Design lint (style; off in `recommended`, on in `strict`). Literal path segments should be lowercase words joined by `-` (`/order-items`, not `/orderItems` or `/order_items`), so that URLs read alike across the API. Template segments (`{orderId}`) and the version segment are not checked. Redocly: `paths-kebab-case`.";
    LINT_PATH_VERBS = "L026", "path-http-verbs", Warning,
        "Lint: a path segment is an HTTP verb.",
        "Design lint (style; off in `recommended`, on in `strict`). The method says what an operation does; a path like `/users/get` or `/orders/delete/{id}` repeats it and breaks the resource model. Checked segments: `get`, `put`, `post`, `delete`, `patch`, `head`, `options`, `trace`. Redocly: `no-http-verbs-in-paths`.";
    LINT_OPERATION_SECURITY = "L027", "operation-security-defined", Warning,
        "Lint: an operation has no security requirement.",
        "Design lint (security; the `security` and `all` presets, and `strict`). OWASP API Top 10 API2 (broken authentication): an operation with no `security` of its own and none at the root is open to anyone. An empty requirement (`{}`) in the list is an explicit opt-out and is accepted. OpenAPI only. Redocly: `security-defined`; spectral-owasp: `owasp:api2:2019-protection-global-unsafe`.";
    LINT_SERVER_HTTPS = "L028", "server-https", Warning,
        "Lint: a server URL does not use https.",
        "Design lint (security; the `security` and `all` presets, and `strict`). OWASP API Top 10 API8 (security misconfiguration): credentials and data sent over plain `http://` can be read and changed on the way. Servers on `localhost`, `127.0.0.1` and relative URLs are not reported. OpenAPI 2.0 `schemes` with `http` are reported too. spectral-owasp: `owasp:api8:2019-inventory-access`.";
    LINT_CREDENTIALS_IN_QUERY = "L029", "no-credentials-in-query", Warning,
        "Lint: an API key is sent in the query string.",
        "Design lint (security; the `security` and `all` presets, and `strict`). A security scheme of `type: apiKey` with `in: query` puts the key in URLs, which servers, proxies and browsers log and keep in history. Send it in a header. spectral-owasp: `owasp:api2:2019-no-api-keys-in-url`.";
    LINT_RATE_LIMIT_HEADERS = "L030", "rate-limit-headers", Warning,
        "Lint: a 429 response declares no rate-limit headers.",
        "Design lint (security; the `security` and `all` presets, and `strict`). OWASP API Top 10 API4 (lack of resources and rate limiting): a `429 Too Many Requests` response should tell the client when to retry: declare `Retry-After` or one of the `RateLimit`/`X-RateLimit-*` headers. OpenAPI only. spectral-owasp: `owasp:api4:2019-rate-limit-retry-after`.";
    LINT_PATH_DECLARATIONS = "L031", "path-declarations", Error,
        "Lint: a path template has an empty `{}`.",
        "Design lint (validity; every preset but `off`). A path template such as `/pets/{}` names no parameter: no `in: path` parameter can fill it, so no client can call the operation and generators fail. Name it (`/pets/{petId}`) and declare the parameter. Spectral: `path-declarations-must-exist`. OpenAPI 2.0, 3.0 and 3.1.";
    LINT_PARAMETERS_UNIQUE = "L032", "parameters-unique", Error,
        "Lint: an operation declares a parameter twice.",
        "Design lint (validity; every preset but `off`). A parameter is identified by its `name` and `in`: an operation (or its path item) that lists the same pair twice leaves clients to guess which declaration applies, and OpenAPI forbids it. References are followed to find the pair. An operation may override a path item's parameter; that is not a duplicate. Spectral: `operation-parameters`; Redocly: `operation-parameters-unique`. OpenAPI 2.0, 3.0 and 3.1.";
    LINT_EXAMPLE_VALUE = "L033", "example-value-or-external-value", Error,
        "Lint: an Example Object has both `value` and `externalValue`.",
        "Design lint (validity; every preset but `off`). OpenAPI 3's Example Object holds either an inline `value` or a URL in `externalValue`; the two are mutually exclusive, and tools disagree on which wins when both are there. Checked in `components.examples` and in the `examples` of media types, parameters and headers. Spectral: `oas3-examples-value-or-externalValue`. OpenAPI 3.0 and 3.1.";
    LINT_TAGS_UNIQUE = "L034", "tags-unique", Error,
        "Lint: the document declares a tag twice.",
        "Design lint (validity; every preset but `off`). The document's `tags` list (AsyncAPI 3: `info.tags`) declares each tag's description and docs; a name listed twice leaves the portal and generators to pick one of the two descriptions. Merge them. Spectral: `openapi-tags-uniqueness`, `asyncapi-tags-uniqueness`. Every format.";
    LINT_OPERATION_SINGULAR_TAG = "L035", "operation-singular-tag", Info,
        "Lint: an operation has more than one tag.",
        "Design lint (documentation; `recommended` and up). Tags group operations: the portal's navigation, Redoc-like readers and client generators put an operation under each of its tags (one method per tag class in many generators), so an operation with two tags appears twice, or in an arbitrary one of its groups. Keep one tag per operation and say the rest in its description. Spectral: `operation-singular-tag`. OpenAPI 2.0, 3.0 and 3.1.";
    LINT_LICENSE_URL = "L036", "license-url", Info,
        "Lint: `info.license` has no URL.",
        "Design lint (documentation; `recommended` and up). A license named without a `url` (OpenAPI 3.1 also accepts an SPDX `identifier`) leaves readers to search for its terms. Spectral: `license-url`, `asyncapi-info-license-url`. Every format.";
    LINT_CONTACT_PROPERTIES = "L037", "contact-properties", Info,
        "Lint: `info.contact` lacks a name, URL or email address.",
        "Design lint (documentation; `strict` and `all`). A contact with all three of `name`, `url` and `email` tells readers whom to ask and how; one with a name alone does not. Spectral: `contact-properties`, `asyncapi-info-contact-properties`. Every format.";
    LINT_UNSAFE_MARKDOWN = "L038", "no-unsafe-markdown", Warning,
        "Lint: a description or title holds a `<script>` tag or `eval(`.",
        "Design lint (security; `recommended`, `security` and up). `description` texts are markdown, and many renderers (Redoc, Swagger UI, Backstage plugins) keep raw HTML: a `<script>` tag or an `eval(` call in one runs in every reader's browser, with the reader's session on the docs site. portolan's portal sanitises markdown and never runs it, but the same definition is published elsewhere. Checked in every `description` and `title` of the document; at most 50 findings per definition, the last one counting the rest. Spectral: `no-script-tags-in-markdown`, `no-eval-in-markdown`. Every format.";
    LINT_CHANNEL_PARAMETERS = "L039", "channel-parameters", Error,
        "Lint: an AsyncAPI channel's address and its `parameters` disagree.",
        "Design lint (validity; every preset but `off`). Each `{name}` in a channel's address (AsyncAPI 2: the channel's key; 3.0: its `address`) must be declared under the channel's `parameters`, and each declared parameter must appear in the address; an empty `{}` names nothing. Otherwise clients and generators cannot build the address a message goes to. Spectral: `asyncapi-channel-parameters`, `asyncapi-channel-no-empty-parameter`. AsyncAPI 2.x and 3.0.";
    LINT_CHANNEL_SERVERS = "L040", "channel-servers", Error,
        "Lint: an AsyncAPI channel names a server that is not defined.",
        "Design lint (validity; every preset but `off`). A channel's `servers` restricts it to some of the document's servers (AsyncAPI 2: by name; 3.0: by reference to `#/servers/...`); a name that `servers` does not define leaves the channel on no server a client can reach. Spectral: `asyncapi-channel-servers`. AsyncAPI 2.x and 3.0.";
    LINT_MESSAGE_IDS_UNIQUE = "L041", "message-ids-unique", Error,
        "Lint: two AsyncAPI messages share a `messageId`.",
        "Design lint (validity; every preset but `off`). AsyncAPI 2 requires each `messageId` to be unique among the document's messages: generators name message types and handlers after it. Messages are counted where they are written (`components.messages` and inline in operations, `oneOf` alternatives included); a `$ref` is the message it names, not another one. Spectral: `asyncapi-message-messageId-uniqueness`. AsyncAPI 2.x (3.0 names messages by their keys).";
    LINT_NULLABLE_TYPE = "L042", "nullable-type", Warning,
        "Lint: an OpenAPI 3.0 schema is `nullable` but has no `type`.",
        "Design lint (validity; every preset but `off`). In OpenAPI 3.0, `nullable: true` adds `null` to the values the schema's `type` allows, and only when `type` is written beside it (the 3.0.3 clarification): on a schema without a `type` — often one that is only an `allOf` of a reference — it does nothing, and clients that trusted it reject the nulls the server sends. Write the type (`type: object`) next to it, or, in 3.1, a type array with `\"null\"`. OpenAPI 3.0.";
    LINT_REQUIRED_DEFINED = "L043", "required-properties-defined", Warning,
        "Lint: a schema requires a property it does not define.",
        "Design lint (validity; every preset but `off`). A name under `required` that the schema's `properties` do not define is usually a typo (`created_at` required, `createdAt` defined): the property a client must send or may rely on is not the one documented. Schemas that may define it elsewhere — a composition (`allOf`, `anyOf`, `oneOf`), `patternProperties`, `additionalProperties` other than `false`, a branch of an `allOf` — are not checked. Redocly: `no-required-schema-properties-undefined`. Every format.";
    OPERATION_REMOVED = "C001", "operation-removed", Error,
        "An operation was removed without being deprecated first.",
        "`portolan diff` compares two revisions of an API definition from a client's point of view. An operation (method + path; path template variables are matched by position, so `/pets/{id}` and `/pets/{petId}` are the same path) exists in the base and not in the head, and the base did not mark it `deprecated`: every client calling it gets a 404 or 405. Deprecate it first (`deprecated: true`, ideally with an `x-sunset` date) and remove it in a later revision.";
    DEPRECATED_OPERATION_REMOVED = "C002", "deprecated-operation-removed", Info,
        "A deprecated operation was removed.",
        "The operation was marked `deprecated` in the base (and its `x-sunset` date, when it has one, has passed), so clients were told to move away from it: removing it is the announced end of its life, reported for the changelog.";
    OPERATION_REMOVED_BEFORE_SUNSET = "C003", "operation-removed-before-sunset", Error,
        "A deprecated operation was removed before its `x-sunset` date.",
        "The base marked the operation deprecated and promised it until its `x-sunset` date (an ISO date `2025-06-30` or an HTTP-date, as in the Sunset header of RFC 8594), which has not come yet: clients that planned their migration by that date break now. When no date for today was given to the comparison, a sunset date counts as not yet reached.";
    OPERATION_ADDED = "C004", "operation-added", Info,
        "An operation was added.",
        "A new method + path exists in the head. Adding operations never breaks an existing client; it is reported for the changelog.";
    OPERATION_ID_CHANGED = "C005", "operation-id-changed", Warning,
        "An operation's `operationId` changed.",
        "Requests on the wire are unchanged, but code generators name methods after `operationId`, so clients regenerated from the new definition no longer compile, and links (`operationId` in Link Objects) and documentation anchors that name the old id break. Reported as a warning; make it an error under `[rules]` when your clients are generated.";
    OPERATION_DEPRECATED = "C006", "operation-deprecated", Info,
        "An operation became deprecated.",
        "The head marks the operation `deprecated: true`. Nothing breaks yet; clients should plan to move away from it.";
    SUCCESS_RESPONSE_REMOVED = "C007", "success-response-removed", Error,
        "A success response (2xx) of an operation was removed.",
        "Clients handle the success status codes the definition promises; one the base documents is gone in the head, so a client checking for it (or deserialising its body) now takes its error path.";
    RESPONSE_REMOVED = "C008", "response-removed", Info,
        "A non-success response of an operation was removed from the definition.",
        "A documented error or informational status (4xx, 5xx, `default`, ...) is no longer listed. The server may still send it; clients keep their generic error handling. Reported for the changelog.";
    REQUIRED_PARAMETER_ADDED = "C009", "required-parameter-added", Error,
        "An operation gained a required parameter.",
        "Existing clients do not send the new parameter, so the server rejects their requests. Make it optional with a default, or add a new operation.";
    OPTIONAL_PARAMETER_ADDED = "C010", "optional-parameter-added", Info,
        "An operation gained an optional parameter.",
        "Existing clients keep working without it; reported for the changelog.";
    PARAMETER_BECAME_REQUIRED = "C011", "parameter-became-required", Error,
        "An optional parameter became required.",
        "Clients that left the parameter out, as the base allowed, are now rejected.";
    PARAMETER_REMOVED = "C012", "parameter-removed", Warning,
        "A parameter was removed from an operation.",
        "Clients still send it; the server now ignores it (or, if it is strict about unknown parameters, rejects the request), and whatever the parameter used to control no longer happens. Reported as a warning: whether it breaks depends on the server.";
    PARAMETER_STYLE_CHANGED = "C013", "parameter-style-changed", Error,
        "A parameter's serialisation (`style`, `explode`, Swagger 2.0 `collectionFormat`) changed.",
        "Clients serialise the parameter as the base describes (`ids=1,2` for `form` without explode, `ids=1&ids=2` with it); the server now expects another form and misreads what existing clients send. Defaults are taken into account: writing out the default style is not a change.";
    REQUEST_BODY_REQUIRED = "C014", "request-body-required", Error,
        "The request body became required, or a required body was added.",
        "Clients that sent no body, as the base allowed, are now rejected.";
    REQUEST_MEDIA_TYPE_REMOVED = "C015", "request-media-type-removed", Error,
        "A media type of the request body is no longer accepted.",
        "Clients that send the body as this media type (`application/x-www-form-urlencoded`, `application/xml`, ...) are rejected with 415. Swagger 2.0's `consumes` is compared the same way.";
    REQUEST_BODY_REMOVED = "C016", "request-body-removed", Warning,
        "An operation no longer takes a request body.",
        "Clients still send one; the server ignores it, or rejects it. Whatever the body carried no longer reaches the server.";
    RESPONSE_MEDIA_TYPE_REMOVED = "C017", "response-media-type-removed", Error,
        "A media type of a response is no longer produced.",
        "Clients that ask for this media type (`Accept`) or parse the response as it can no longer do so. Swagger 2.0's `produces` is compared the same way.";
    REQUIRED_RESPONSE_HEADER_REMOVED = "C018", "required-response-header-removed", Error,
        "A response header marked `required` was removed.",
        "Clients may rely on a required response header (`Location`, a rate-limit header, a pagination cursor) always being present; it is gone.";
    RESPONSE_HEADER_REMOVED = "C019", "response-header-removed", Warning,
        "An optional response header was removed.",
        "Clients that read the header when present lose what it carried; they were prepared for its absence, so this is a warning.";
    SECURITY_REQUIREMENT_ADDED = "C020", "security-requirement-added", Error,
        "An operation requires a credential it did not require before.",
        "A client that satisfied one of the base's security alternatives satisfies none of the head's: it is missing a security scheme (an API key, OAuth2, ...), so its calls fail with 401. Other tools rate this as informational; portolan rates it breaking, because clients without the credential fail. Adding an alternative, or removing a requirement, is not reported.";
    SECURITY_SCOPE_ADDED = "C021", "security-scope-added", Error,
        "An operation requires an OAuth2/OpenID scope it did not require before.",
        "Tokens issued for the base's scopes lack the new one, so existing clients get 403 until they ask users to grant it again.";
    SERVER_REMOVED = "C022", "server-removed", Warning,
        "A server URL (or Swagger 2.0 `host`/`basePath`/`schemes`) was removed or changed.",
        "Clients configured with the base's server URL may no longer reach the API there. Often a deliberate move (a new host name kept alive by redirects), so a warning.";
    TYPE_CHANGED = "C023", "type-changed", Error,
        "A schema's type changed in a way clients cannot follow.",
        "In a request, the head no longer accepts a type the base accepted (clients write values of the old type); in a response, the head may return a type the base never did (clients parse the old type). `integer` counts as a subset of `number`, and OpenAPI 3.1 type arrays and 3.0 `nullable` are compared as sets. The message names the operation, the property (as `Schema.property`) and both types.";
    TYPE_WIDENED = "C024", "type-widened", Info,
        "A schema's type changed compatibly.",
        "A request schema now accepts more types than before (`integer` → `number`), or a response schema returns fewer: existing clients keep working.";
    FORMAT_CHANGED = "C025", "format-changed", Error,
        "A schema's `format` changed.",
        "`format` tells clients how to write and read a value (`date-time` vs `date`, `int32` vs `int64`, `uuid`); a different one breaks clients' (de)serialisation. Adding a format to a request, or dropping one from a response, is reported here too, as it narrows what clients may send or widens what they receive.";
    RESPONSE_BECAME_NULLABLE = "C026", "response-became-nullable", Error,
        "A response value may now be `null`.",
        "Clients read the value and did not expect `null` (OpenAPI 3.0 `nullable: true`, a 3.1 type array with `\"null\"`, Swagger `x-nullable`): a client in a typed language fails to deserialise it.";
    REQUEST_NULL_REJECTED = "C027", "request-null-rejected", Error,
        "A request value may no longer be `null`.",
        "The base accepted `null`, so clients may send it; the head rejects it.";
    REQUEST_ENUM_VALUE_REMOVED = "C028", "request-enum-value-removed", Error,
        "An enum value clients may send was removed, or an enum or `const` was added to a request value.",
        "Clients sending the removed value are now rejected. `const` counts as a one-value enum.";
    RESPONSE_ENUM_VALUE_ADDED = "C029", "response-enum-value-added", Warning,
        "A response value may take a new enum value.",
        "Clients that switch over the values exhaustively (generated enums in typed languages) meet a value they do not know. Many are written to tolerate unknown values, so a warning; make it an error under `[rules]` if yours are not.";
    ENUM_CHANGED_COMPATIBLY = "C030", "enum-changed-compatibly", Info,
        "Enum values were added to a request or removed from a response.",
        "Requests accept more values, or responses return fewer: existing clients keep working.";
    REQUEST_CONSTRAINT_TIGHTENED = "C031", "request-constraint-tightened", Error,
        "A request value is constrained more tightly.",
        "`maxLength`, `maximum`, `maxItems` or `maxProperties` went down, `minLength`, `minimum`, `minItems` or `minProperties` went up, a `pattern` or `multipleOf` changed or was added, `uniqueItems` was turned on, additional or unevaluated properties were forbidden, a `dependentRequired` entry was added, or `prefixItems` changed: values clients sent before may now be rejected.";
    RESPONSE_CONSTRAINT_LOOSENED = "C032", "response-constraint-loosened", Info,
        "A response value is constrained less tightly.",
        "Responses may now hold longer strings, larger numbers or more items than before. Clients with fixed-size buffers or strict validation may notice; most do not, so it is informational.";
    REQUIRED_REQUEST_PROPERTY_ADDED = "C033", "required-request-property-added", Error,
        "A request schema gained a required property.",
        "Existing clients do not send it, so their requests are rejected.";
    REQUEST_PROPERTY_BECAME_REQUIRED = "C034", "request-property-became-required", Error,
        "An optional request property became required.",
        "Clients that left it out, as the base allowed, are now rejected.";
    REQUEST_PROPERTY_REMOVED = "C035", "request-property-removed", Warning,
        "A property was removed from a request schema.",
        "Clients still send it; the server ignores it (or rejects it when additional properties are forbidden), and what it controlled no longer happens.";
    REQUIRED_RESPONSE_PROPERTY_REMOVED = "C036", "required-response-property-removed", Error,
        "A required response property was removed.",
        "Clients read the property, and the base promised it would be there: it is gone. The message names the schema and property (`Payment.charges`), the operation and the status.";
    OPTIONAL_RESPONSE_PROPERTY_REMOVED = "C037", "optional-response-property-removed", Warning,
        "An optional response property was removed.",
        "Clients that read the property when it is present lose its value; they were prepared for its absence, so a warning.";
    RESPONSE_PROPERTY_BECAME_OPTIONAL = "C038", "response-property-became-optional", Error,
        "A required response property became optional.",
        "Clients rely on a required property being present; the head may now leave it out.";
    PROPERTY_ADDED = "C039", "property-added", Info,
        "A schema gained a property clients need not handle.",
        "An optional request property, or a response property: existing clients keep working (clients must ignore response properties they do not know).";
    REQUEST_VARIANT_REMOVED = "C040", "request-variant-removed", Error,
        "A `oneOf`/`anyOf` alternative was removed from a request schema.",
        "Clients sending values of the removed alternative are rejected. Alternatives are matched by the schema they reference, then by content, so reordering them or moving one into `components` is not a change.";
    RESPONSE_VARIANT_ADDED = "C041", "response-variant-added", Warning,
        "A `oneOf`/`anyOf` alternative was added to a response schema.",
        "Clients that handle each alternative (a generated sum type, a switch on the discriminator) meet one they do not know.";
    VARIANT_CHANGED_COMPATIBLY = "C042", "variant-changed-compatibly", Info,
        "A `oneOf`/`anyOf` alternative was added to a request or removed from a response.",
        "Requests accept more shapes, or responses return fewer: existing clients keep working.";
    CONDITIONAL_SCHEMA_CHANGED = "C043", "conditional-schema-changed", Warning,
        "An `if`, `not` or other condition of a schema changed.",
        "Conditions (`if`/`then`/`else`, `not`) decide which rules apply to a value; whether a change to the condition narrows or widens what is valid cannot be told in general, so it is reported for a person to judge. Changes inside `then` and `else` are compared like any other schema.";
    DISCRIMINATOR_CHANGED = "C044", "discriminator-changed", Error,
        "The discriminator property of a polymorphic schema changed.",
        "Clients pick the alternative by the discriminator's `propertyName`; a different one makes them read or write the wrong property.";
    CHANNEL_REMOVED = "C045", "channel-removed", Error,
        "An AsyncAPI channel was removed.",
        "Channels are matched by address (template variables erased, so renaming `{userId}` is no change; AsyncAPI 2.x channel names are addresses). Clients publishing to or subscribing on the removed address get nothing through. A channel whose operations moved to another address is reported as C046 instead.";
    CHANNEL_ADDRESS_CHANGED = "C046", "channel-address-changed", Error,
        "An AsyncAPI channel or operation moved to another address.",
        "The same channel (AsyncAPI 3 channel id) or operation (operation id) now uses another address (topic, queue, path): clients still publish to and subscribe on the old one.";
    ASYNC_OPERATION_REMOVED = "C047", "async-operation-removed", Error,
        "An AsyncAPI operation was removed.",
        "Operations are matched by id: the AsyncAPI 3 `operations` key, or an AsyncAPI 2.x `operationId` (else the channel and `publish`/`subscribe`). The application no longer sends, or no longer receives, what the operation described, and clients relying on it break.";
    OPERATION_ACTION_CHANGED = "C048", "operation-action-changed", Error,
        "An AsyncAPI operation's action flipped between send and receive.",
        "Actions are compared as the application's: AsyncAPI 3 `send`/`receive`, AsyncAPI 2.x `subscribe` (the application sends) and `publish` (the application receives). Clients that consumed the messages must now produce them, or the other way round.";
    MESSAGE_REMOVED = "C049", "message-removed", Error,
        "A message was removed from an AsyncAPI operation.",
        "Messages are matched by `name`, else `messageId`, else their key. The operation no longer carries the message: consumers waiting for it receive nothing, producers sending it are refused. Message payloads and headers are compared like request and response bodies: a message the application sends is read by clients (widening can break), one it receives is written by clients (narrowing breaks).";
    API_REMOVED = "C050", "api-removed", Error,
        "An API entity of the base catalog is not in the head catalog.",
        "`portolan diff` matches APIs by entity ref (kind, namespace and name, compared case-insensitively). The base revision's catalog has this API entity and the head's does not: every operation it offered is gone for its clients, and the entities that consume it (listed with the finding) now point at nothing. Deprecate it first (`spec.lifecycle: deprecated`) and remove it once its consumers have moved.";
    API_ADDED = "C051", "api-added", Info,
        "An API entity was added to the catalog.",
        "The head catalog has an API entity the base did not. Nothing existing breaks; reported for the changelog.";
    API_DEPRECATED = "C052", "api-deprecated", Warning,
        "An API entity's lifecycle became `deprecated`.",
        "`spec.lifecycle` of the API changed to `deprecated`. Nothing breaks yet, but the API's consumers (listed with the finding) should plan their move away from it.";
    API_OWNER_CHANGED = "C053", "api-owner-changed", Info,
        "An API entity's owner changed.",
        "`spec.owner` names another group or user: the team that answers for the contract is a different one. Reported for the changelog and for the consumers who need to know whom to ask.";
    API_NO_LONGER_PROVIDED = "C054", "api-no-longer-provided", Warning,
        "A component no longer lists the API in `providesApis`.",
        "In the base catalog a component provided this API (`spec.providesApis`); in the head it does not, or the component is gone. The API entity is still there, but the catalog no longer says which running component serves it: its consumers may be calling something that is being shut down.";
    DEFINITION_NOT_COMPARED = "C055", "definition-not-compared", Warning,
        "Two revisions of an API definition could not be compared.",
        "The API entity is in both catalogs, but its definition could not be read as OpenAPI or AsyncAPI in one of them (the findings of loading it say why: a parse error, a broken `$ref`, a missing file), or it changed between OpenAPI and AsyncAPI. Nothing about its contract changes is reported: fix the definition, or compare it by hand.";
    UNCLASSIFIED_DEFINITION_CHANGED = "C056", "unclassified-definition-changed", Info,
        "The definition of an API of a type portolan does not classify changed.",
        "`portolan diff` classifies OpenAPI and AsyncAPI definitions. For other API types (`graphql`, `grpc`, `trpc`, ...) it compares the definition's text: it changed, and a person should judge whether clients break.";
    DOCS_NOT_FOUND = "D001", "docs-not-found", Warning,
        "`backstage.io/techdocs-ref` names no documentation.",
        "The annotation `backstage.io/techdocs-ref: dir:PATH` names a directory (relative to the descriptor) holding `mkdocs.yml` and a `docs/` folder of markdown, or markdown files directly. Nothing was found there, so the entity has no docs in the portal. Remote refs (`url:...`) are not fetched.";
    BROKEN_DOC_LINK = "D002", "broken-doc-link", Warning,
        "A link in the docs points at a page or file that does not exist.",
        "Relative links between markdown pages (`other.md`, `../guide/setup.md#install`) and to images are resolved against the page that holds them, inside the docs folder. This one leads nowhere, so readers of the portal would get a 404. Fix the path or add the file.";
    UNSAFE_DOC_ASSET = "D003", "unsafe-doc-asset", Warning,
        "An SVG in the docs could run script or load something from outside, and is not published.",
        "An SVG opened on its own URL is a document, and script in it would run with the portal's origin. portolan parses every docs SVG as XML (namespaces included) and publishes a copy rebuilt from an allowlist of SVG elements and attributes, never the original file. The image is left out instead when anything in it could run script or reach outside the image: `script`, `foreignObject`, `handler` or animation elements (`set`, `animate*`) in any namespace or letter case, any element of the XHTML namespace, event-handler attributes (`onload`, ...), an `href` that is not a `#fragment` of the image (raster `data:image/...;base64` is accepted on `image`), a `url(...)` to anything but `#id` or CSS with `@import` or backslash escapes, an `<?xml-stylesheet?>` instruction, a DTD that declares entities, or text that is not well-formed XML. The finding points at the first such node. Editor metadata (Inkscape, Sodipodi, RDF), comments and unknown attributes are dropped from the published copy silently. Remove the marked part from the drawing (most editors have a \"plain SVG\" export).";
    SITE_ABSOLUTE_DOC_LINK = "D004", "site-absolute-doc-link", Warning,
        "A link in the docs starts with `/`, so where it leads depends on where the portal is deployed.",
        "A link such as `[handbook](/handbook/)` names a path from the root of whatever host serves the portal: under `--base-url /portal/` it leaves the portal, under `/` it may name a page portolan never made. portolan cannot check such a link, so it publishes only its text. Link to another docs page relatively (`../guide/setup.md`), or write the full URL (`https://intranet.example/handbook/`). Protocol-relative links (`//host/path`) are reported the same way: write the scheme.";
    TEMPLATE_ERROR = "T001", "template-error", Error,
        "A theme template could not be rendered.",
        "A template of the site's theme has a syntax error or fails while rendering (an unknown filter, a missing variable used as an object, ...). Templates overridden through `theme_dir` in portolan.toml are reported at their own line; the build writes nothing until the template is fixed or removed.";
    THEME_SCRIPT_OVERRIDE = "T002", "theme-script-override", Error,
        "A theme override replaces one of the theme's scripts.",
        "`theme_dir` in portolan.toml may replace the theme's templates and its stylesheet, not its JavaScript (`assets/theme.js`, `assets/portolan.js`, `assets/search.js`) nor its icon (`assets/favicon.svg`: an SVG opened as a page runs its script). Every page of the portal runs those scripts under the portal's own origin, so a replacement could read anything the portal publishes and act on behalf of its readers; and the repository's files are untrusted input (a pull request from a fork can change them). The replacement is never published: `check` reports it and `build` and `serve` write nothing while it is there, whatever `[rules]` or `--fail-on` say. Remove the file; to change what the portal's pages do, change portolan itself.";
    THEME_UNSAFE_PAGE = "T003", "theme-unsafe-page", Error,
        "A page made by an overridden template could run script.",
        "When `theme_dir` overrides a template, every page is parsed as a browser parses it before anything is written, and must: carry the theme's Content-Security-Policy `<meta>` in its `<head>`, preceded only by `<meta charset=\"utf-8\">` (within the first 1024 bytes, and no other encoding declared anywhere) and other plain `<meta>` elements; load script only as `<script src>` naming the theme's own `assets/theme.js`, `assets/portolan.js` or `assets/search.js` under the base URL (no inline script, no script elsewhere, same-origin or not: a catalog publishes files whose bytes it chooses); and hold no `<base>`, no `<meta http-equiv>` other than the policy (`refresh` navigates), no event-handler attribute (`onload=`, `onclick=`, ...), no `javascript:` or `vbscript:` URL and no `<iframe srcdoc>`. The finding points at the overriding template (at the line of the offending text when it is written there) and names a page that shows it. The build writes nothing until it is fixed, whatever `[rules]` or `--fail-on` say.";
    POLICY_LOAD = "P001", "policy-load", Error,
        "A policy's schema could not be loaded.",
        "A `[[policies]]` entry in portolan.toml names a JSON Schema file that does not exist, is not valid JSON, or is not a valid JSON Schema. The policy is not applied until this is fixed.";
    SCORECARD_INVALID = "S001", "scorecard-invalid", Error,
        "A scorecard file is not valid.",
        "Every `*.yaml`/`*.yml` file under the scorecards folder (`dir` under `[scorecards]` in portolan.toml, default `scorecards/`) is a scorecard: a mapping with `name`, optional `description`, a `selector` (the fields of a policy's `match`: kind, type, lifecycle, tag), `levels` (names, lowest first), `rules` and optional `waivers`. A rule has an `id` unique in the file, a `level` from `levels` and exactly one check: `fact` with `op` and `value` (`portolan scorecard --list-facts` lists the facts and their types; ops: eq, ne, gt, gte, lt, lte, exists, in, matches, contains), `schema` (a JSON Schema over `{entity, facts}`), or `policy` (the code of a `[[policies]]` entry). Dates (`enforceFrom`, a waiver's `expires`) are `YYYY-MM-DD`. The marked node says what is wrong; the scorecard is not computed until the file is fixed. Also reported in portolan.toml: a `[[scorecards.gates]]` entry naming a scorecard or a level that does not exist. The published JSON Schema `catalog-schema/scorecard.schema.json` lets editors check these files as you type.";
    SCORECARD_GATE = "S002", "scorecard-gate", Error,
        "An entity is below the minimum level a scorecard gate requires.",
        "A `[[scorecards.gates]]` entry of portolan.toml requires the entities its `match` selects (and its scorecard applies to) to reach a level. This entity's level is lower: the finding names the rules of the missing levels that fail, are unknown or lean on an expired waiver. Fix what those rules check (`portolan scorecard NAME` shows every rule's state and value), or add a waiver with a reason and an expiry date to the scorecard file. A gate's `severity` sets how this is reported (default error).";
    WAIVER_EXPIRED = "S003", "waiver-expired", Warning,
        "A scorecard waiver has expired.",
        "A waiver exempts one entity from one rule until its `expires` date (inclusive). After that date it exempts nothing: the rule counts as failed when its check fails, and this warning points at the waiver so it is renewed (with a new reason, reviewed in a pull request) or removed. `check`, `build` and `scorecard` compare with today's date (UTC), or the day of `SOURCE_DATE_EPOCH` when that is set; `portolan scorecard --today` sets another.";
    WAIVER_UNMATCHED = "S004", "waiver-unmatched", Warning,
        "A scorecard waiver names an entity the scorecard does not apply to.",
        "The waiver's `entity` (an entity ref such as `component:default/billing`; kind and namespace as in any reference) is not in the catalog, or the scorecard's selector does not select it, so the waiver exempts nothing. Usually the entity was renamed or removed: update or delete the waiver.";
    CUSTOM_RULE = "U001", "custom-rule", Warning,
        "A custom lint rule of the ruleset found something.",
        "Custom rules are written in a Spectral ruleset (`.spectral.yaml`, `.spectral.yml` or `.spectral.json` at the catalog root, or the file `ruleset` under `[lint]` names): `given` selects nodes of each API definition with a JSONPath, `then` names a `field` of them and a core function (truthy, falsy, defined, undefined, pattern, casing, length, enumeration, alphabetical, schema, xor, or), and `message` says what is wrong (`{{error}}`, `{{property}}`, `{{value}}`, `{{path}}`, `{{description}}`). Each finding names its rule; its level is the rule's `severity`, and `overrides` in the ruleset set it per file.";
    RULESET_UNSUPPORTED = "U002", "ruleset-unsupported", Warning,
        "A part of the Spectral ruleset cannot run in portolan.",
        "portolan reads Spectral rulesets without Node: `extends` of `spectral:oas` and `spectral:asyncapi` (recommended, all or off), rule severities (Spectral's rule names map to portolan's rules), `overrides` by file glob or `file#/json/pointer`, and custom rules whose functions are Spectral's core functions. A rule with a JavaScript function, a JSONPath-Plus filter that runs script (`@property`, method calls), an `extends` of a URL, package or other file, or a Spectral rule portolan does not have is reported here once, so nothing is dropped silently; the rest of the ruleset applies.";
    RULESET_INVALID = "U003", "ruleset-invalid", Error,
        "The Spectral ruleset is malformed.",
        "A field of the ruleset has the wrong shape: a severity that is not error, warn, info, hint, off, 0-3 or a boolean; a rule without `given` or `then`; a `then` without a function or with options the function needs missing; a path that is not a JSONPath; a regular expression or JSON Schema that does not compile; an unknown format. The finding points at the place; the rule is not run until it is fixed.";
    SLO_INVALID = "O001", "slo-invalid", Error,
        "An SLO file does not follow the schema of its format.",
        "A file is read as an SLO file when it declares `apiVersion: openslo/v1` or `openslo/v1alpha` (OpenSLO), or `version: prometheus/v1` (Sloth; or `apiVersion: sloth.slok.dev/v1` with `kind: PrometheusServiceLevel`). Each document is checked against the schema of its format, published in `catalog-schema/slo/` for editors: required fields, types, names (OpenSLO names are lowercase DNS labels), the kinds of the format, no unknown fields. A document that fails is shown but not used for error budgets or scorecard facts.";
    SLO_OBJECTIVE_RANGE = "O002", "slo-objective-range", Error,
        "An SLO objective is not strictly between 0% and 100%.",
        "An objective of 100% leaves no error budget (any single failure breaks it) and 0% promises nothing; both are usually a unit mistake. OpenSLO's `target` is a ratio (`0.999`) and `targetPercent` a percentage (`99.9`); Sloth's `objective` is a percentage. Write the objective in the unit of its field.";
    SLO_TIME_WINDOW = "O003", "slo-time-window", Error,
        "An SLO's time window or budgeting method cannot be used.",
        "OpenSLO v1 writes a window as a count and a unit (`28d`, `4w`, `1M`: m, h, d, w, M, Q or Y) with `isRolling`, or a calendar window with `calendar.startTime` and `calendar.timeZone`; v1alpha as `unit` and `count`. `Timeslices` and `RatioTimeslices` budgeting need each objective's `timeSliceTarget` (a ratio in (0, 1]) and, in v1, `timeSliceWindow`. The error budget is computed from the window; a window of M, Q or Y counts 30, 90 or 365 days.";
    SLO_REFERENCE = "O004", "slo-unresolved-reference", Error,
        "An SLO file refers to an SLI, data source, alert policy, condition or notification target that is not defined.",
        "OpenSLO objects refer to each other by name: an SLO's `indicatorRef` names an SLI, `alertPolicyRef` an AlertPolicy; an SLI's `metricSourceRef` a DataSource; an AlertPolicy's `conditionRef` an AlertCondition and `targetRef` an AlertNotificationTarget. The named object must be defined in one of the catalog's SLO files (any file, any order).";
    SLO_ORPHAN = "O005", "slo-orphan", Warning,
        "An SLO belongs to no entity of the catalog.",
        "An SLO is linked to an entity when the entity's `portolan.dev/slos` annotation (globs relative to the descriptor's folder, comma-separated) matches its file, or else when its service (OpenSLO `spec.service`, Sloth `service`) is the name of a Component or System. This one matched neither, so no page shows it and no scorecard counts it: add the annotation or fix the service name.";
    SLO_ANNOTATION = "O006", "slo-annotation", Warning,
        "A `portolan.dev/slos` annotation matches no SLO file.",
        "The annotation lists globs, relative to the descriptor's folder and comma-separated (`slos/*.yaml`), of the SLO files that belong to the entity. This one is not a valid glob, leaves the catalog root, or matches no file that holds an SLO.";
    SLO_STATUS = "O007", "slo-status-invalid", Warning,
        "An `slo-status.json` file cannot be read.",
        "CI may write `slo-status.json` next to SLO files with what the monitoring system measured: `{\"timestamp\": \"2026-12-01T10:00:00Z\", \"slos\": {\"<slo name>\": {\"current\": 99.95, \"remainingBudget\": 62.5}}}` (percentages; `objective` may be repeated). The portal shows it with its timestamp. This file is not JSON of that shape, or names an SLO that no SLO file next to it defines.";
}

/// Other tools' names for lint rules (`L` codes) that mean the same: so a
/// team can carry its Spectral or Redocly settings over (`[lint.rules]`,
/// `--explain operation-operationId`). Alias → code. Compared
/// case-sensitively first, then case-insensitively.
pub const ALIASES: &[(&str, &str)] = &[
    ("asyncapi-info-contact", "L001"),
    ("asyncapi-info-description", "L002"),
    ("asyncapi-info-license", "L003"),
    ("asyncapi-operation-description", "L004"),
    ("operation-operationId", "L005"),
    ("asyncapi-operation-operationId", "L005"),
    ("operation-operationId-url-safe", "L006"),
    ("asyncapi-tag-description", "L009"),
    ("operation-2xx-response", "L010"),
    ("oas3-api-servers", "L012"),
    ("oas2-api-host", "L012"),
    ("asyncapi-servers", "L012"),
    ("no-empty-servers", "L012"),
    ("oas3-server-trailing-slash", "L013"),
    ("no-server-trailing-slash", "L013"),
    ("path-keys-no-trailing-slash", "L014"),
    ("asyncapi-channel-no-trailing-slash", "L014"),
    ("no-path-trailing-slash", "L014"),
    ("path-not-include-query", "L015"),
    ("path-declarations-must-exist", "L031"),
    ("operation-parameters", "L032"),
    ("operation-parameters-unique", "L032"),
    ("oas3-examples-value-or-externalValue", "L033"),
    ("openapi-tags-uniqueness", "L034"),
    ("asyncapi-tags-uniqueness", "L034"),
    ("asyncapi-info-license-url", "L036"),
    ("asyncapi-channel-parameters", "L039"),
    ("no-required-schema-properties-undefined", "L043"),
    ("asyncapi-channel-no-empty-parameter", "L039"),
    ("asyncapi-channel-servers", "L040"),
    ("asyncapi-message-messageId-uniqueness", "L041"),
    ("asyncapi-info-contact-properties", "L037"),
    ("no-script-tags-in-markdown", "L038"),
    ("no-eval-in-markdown", "L038"),
    ("asyncapi-channel-no-query-nor-fragment", "L015"),
    ("no-$ref-siblings", "L016"),
    ("no-ref-siblings", "L016"),
    ("duplicated-entry-in-enum", "L018"),
    ("oas3-unused-component", "L019"),
    ("oas2-unused-definition", "L019"),
    ("asyncapi-unused-components-schema", "L019"),
    ("no-unused-components", "L019"),
    ("oas3-server-variables", "L021"),
    ("asyncapi-server-variables", "L021"),
    ("no-undefined-server-variable", "L021"),
    ("no-server-variables-empty-enum", "L021"),
    ("oas3-parameter-description", "L022"),
    ("oas2-parameter-description", "L022"),
    ("asyncapi-parameter-description", "L022"),
    ("oas3-valid-media-example", "L024"),
    ("oas3-valid-schema-example", "L024"),
    ("oas2-valid-schema-example", "L024"),
    ("oas2-valid-media-example", "L024"),
    ("no-invalid-media-type-examples", "L024"),
    ("no-invalid-schema-examples", "L024"),
    ("paths-kebab-case", "L025"),
    ("no-http-verbs-in-paths", "L026"),
    ("security-defined", "L027"),
];

/// Look a code up by its code (`R001`), name (`dangling-reference`) or
/// alias ([`ALIASES`]), case-insensitively.
pub fn find(code_or_name: &str) -> Option<&'static Code> {
    ALL.iter()
        .copied()
        .find(|c| {
            c.code.eq_ignore_ascii_case(code_or_name) || c.name.eq_ignore_ascii_case(code_or_name)
        })
        .or_else(|| {
            let (_, code) = ALIASES
                .iter()
                .find(|(alias, _)| alias.eq_ignore_ascii_case(code_or_name))?;
            ALL.iter().copied().find(|c| c.code == *code)
        })
}

/// Where the reference of every code is published: `docs/codes.md` of the
/// repository, which [`markdown_reference`] generates (a test keeps it
/// current).
pub const REFERENCE_URL: &str = "https://github.com/portolan-dev/portolan/blob/main/docs/codes.md";

/// The anchor of `code`'s section in [`markdown_reference`] (GitHub's
/// heading slugs: lower case, spaces as `-`).
pub fn anchor(code: &Code) -> String {
    format!("{}-{}", code.code, code.name).to_ascii_lowercase()
}

/// The URL of `code`'s explanation (SARIF's `helpUri`).
pub fn help_uri(code: &Code) -> String {
    format!("{REFERENCE_URL}#{}", anchor(code))
}

/// `docs/codes.md`: every code with its summary, default severity,
/// explanation (what `--explain` prints) and other tools' names for it.
pub fn markdown_reference() -> String {
    let mut out = String::from(
        "# Diagnostic codes\n\n\
         Every finding portolan reports has one of these codes. `portolan check\n\
         --explain CODE` prints the same text; SARIF output links each rule here.\n\
         This file is generated from `crates/portolan-core/src/codes.rs` (the test\n\
         `docs_codes_md_is_current` fails when it is stale; rewrite it with\n\
         `PORTOLAN_UPDATE_DOCS=1 cargo test -p portolan-core --test codes_doc`).\n\n\
         | code | name | default | summary |\n|---|---|---|---|\n",
    );
    for c in ALL {
        out.push_str(&format!(
            "| [{}](#{}) | `{}` | {} | {} |\n",
            c.code,
            anchor(c),
            c.name,
            c.severity,
            c.summary.replace('|', "\\|")
        ));
    }
    for c in ALL {
        out.push_str(&format!(
            "\n## {} {}\n\n{}\n\nDefault severity: {}.\n\n{}\n",
            c.code, c.name, c.summary, c.severity, c.explanation
        ));
        let aliases: Vec<String> = ALIASES
            .iter()
            .filter(|(_, code)| *code == c.code)
            .map(|(alias, _)| format!("`{alias}`"))
            .collect();
        if !aliases.is_empty() {
            out.push_str(&format!(
                "\nAlso known as (Spectral, Redocly): {}.\n",
                aliases.join(", ")
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for code in ALL {
            assert!(seen.insert(code.code), "duplicate code {}", code.code);
            assert!(seen.insert(code.name), "duplicate name {}", code.name);
        }
    }

    #[test]
    fn find_accepts_code_or_name() {
        assert_eq!(find("r001").map(|c| c.name), Some("dangling-reference"));
        assert_eq!(find("duplicate-key").map(|c| c.code), Some("Y002"));
        assert!(find("nope").is_none());
        assert_eq!(find("operation-operationId").map(|c| c.code), Some("L005"));
        assert_eq!(find("no-$ref-siblings").map(|c| c.code), Some("L016"));
    }

    #[test]
    fn aliases_name_lint_codes_and_shadow_no_name() {
        for (alias, code) in ALIASES {
            assert!(code.starts_with('L'), "{alias} → {code}");
            assert!(ALL.iter().any(|c| c.code == *code), "{alias} → {code}");
            assert!(
                !ALL.iter()
                    .any(|c| c.name.eq_ignore_ascii_case(alias) && c.code != *code),
                "alias {alias} is another code's name"
            );
        }
    }
}
