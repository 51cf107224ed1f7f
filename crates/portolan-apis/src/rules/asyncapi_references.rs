//! A012 `asyncapi-reference`: AsyncAPI operations, channels and messages
//! refer to each other correctly.
//!
//! **What it checks.** AsyncAPI 3:
//!
//! - an operation's `channel` is a `$ref` that resolves; for an operation
//!   of the root `operations`, to a channel of the root `channels`;
//! - each of an operation's `messages` is a `$ref` that resolves to a
//!   message of that channel (`#/channels/<c>/messages/<m>`);
//! - a reply's `channel` and `messages` likewise (the messages must belong
//!   to the reply's channel, when it names one);
//! - each `$ref` in a channel's `messages` resolves.
//!
//! AsyncAPI 2: each operation's `message` `$ref`, the `$ref`s of its
//! `oneOf`, and `$ref`s under `components.messages` resolve.
//!
//! **Why.** [AsyncAPI 3.0 §Operation Object][op]: `channel` "MUST point to
//! a channel definition located in the root Channels Object" and
//! `messages` "MUST contain a subset of the messages defined in the channel
//! referenced in this operation"; the [Operation Reply Object][reply] says
//! the same of its channel. A message the channel does not carry, or a
//! reference to nothing, leaves generated code and documentation without
//! the payload the operation sends or receives.
//!
//! **Example.**
//!
//! ```yaml
//! channels:
//!   userSignedUp:
//!     messages:
//!       signedUp: { $ref: '#/components/messages/SignedUp' }
//! operations:
//!   onSignUp:
//!     action: receive
//!     channel: { $ref: '#/channels/userSignedUp' }
//!     messages:
//!       - $ref: '#/components/messages/SignedUp'   # A012: use '#/channels/userSignedUp/messages/signedUp'
//! ```
//!
//! [op]: https://www.asyncapi.com/docs/reference/specification/v3.0.0#operationObject
//! [reply]: https://www.asyncapi.com/docs/reference/specification/v3.0.0#operationReplyObject

use std::collections::BTreeSet;

use portolan_core::codes;

use super::Finding;
use super::document::{Document, Located, RefError, internal_ref_pointer, ref_of};
use super::operations::asyncapi2_operations;
use crate::detect::SpecFormat;

pub(crate) fn check(format: SpecFormat, doc: &Document<'_>, out: &mut Vec<Finding>) {
    match format {
        SpecFormat::AsyncApi2 => check_asyncapi2(doc, out),
        SpecFormat::AsyncApi3 => check_asyncapi3(doc, out),
        _ => {}
    }
}

fn check_asyncapi2(doc: &Document<'_>, out: &mut Vec<Finding>) {
    let mut seen = BTreeSet::new();
    for operation in asyncapi2_operations(doc) {
        let Some(message) = operation.location.member("message") else {
            continue;
        };
        if !resolves(doc, &message, "message", out) {
            continue;
        }
        let Ok(message) = doc.deref(message) else {
            continue;
        };
        if !seen.insert(message.pointer.clone()) {
            continue;
        }
        if let Some(one_of) = message.member("oneOf") {
            for choice in one_of.items() {
                resolves(doc, &choice, "message", out);
            }
        }
    }
    for (_, message) in doc
        .at("/components/messages")
        .iter()
        .flat_map(|m| m.members())
    {
        resolves(doc, &message, "message", out);
    }
}

fn check_asyncapi3(doc: &Document<'_>, out: &mut Vec<Finding>) {
    let mut seen = BTreeSet::new();
    let mut replies = Vec::new();
    for section in ["/operations", "/components/operations"] {
        for (_, entry) in doc.at(section).iter().flat_map(|s| s.members()) {
            let Ok(operation) = doc.deref(entry) else {
                continue;
            };
            if !operation.value.is_object() || !seen.insert(operation.pointer.clone()) {
                continue;
            }
            // Only operations written in the root `operations` are bound to
            // root channels; a component operation "MAY point to a Channel
            // Object in any location".
            let in_root = parent(&operation.pointer) == Some("/operations");
            let channel = operation
                .member("channel")
                .and_then(|c| check_channel(doc, &c, "operation", in_root, out));
            if let Some(messages) = operation.member("messages") {
                check_messages(doc, &messages, channel.as_ref(), out);
            }
            if let Some(reply) = operation.member("reply")
                && resolves(doc, &reply, "reply", out)
            {
                replies.extend(doc.deref(reply).ok());
            }
        }
    }
    for (_, reply) in doc
        .at("/components/replies")
        .iter()
        .flat_map(|r| r.members())
    {
        if resolves(doc, &reply, "reply", out) {
            replies.extend(doc.deref(reply).ok());
        }
    }
    let mut seen = BTreeSet::new();
    for reply in replies
        .into_iter()
        .filter(|r| r.value.is_object() && seen.insert(r.pointer.clone()))
    {
        let channel = reply
            .member("channel")
            .and_then(|c| check_channel(doc, &c, "reply", false, out));
        if let Some(messages) = reply.member("messages") {
            check_messages(doc, &messages, channel.as_ref(), out);
        }
    }

    let mut seen = BTreeSet::new();
    for section in ["/channels", "/components/channels"] {
        for (_, entry) in doc.at(section).iter().flat_map(|s| s.members()) {
            let Ok(channel) = doc.deref(entry) else {
                continue;
            };
            if !seen.insert(channel.pointer.clone()) {
                continue;
            }
            for (_, message) in channel.member("messages").iter().flat_map(|m| m.members()) {
                resolves(doc, &message, "message", out);
            }
        }
    }
    for (_, message) in doc
        .at("/components/messages")
        .iter()
        .flat_map(|m| m.members())
    {
        resolves(doc, &message, "message", out);
    }
}

/// A channel an operation or reply refers to.
struct ChannelTarget {
    /// The reference as written, decoded: `/channels/userSignedUp`.
    written: String,
    /// Where the channel's fields are, after following `$ref`s.
    resolved: String,
}

/// Check the `channel` of an operation or reply (`owner`); the channel
/// when it can be found.
fn check_channel(
    doc: &Document<'_>,
    channel: &Located<'_>,
    owner: &str,
    root_only: bool,
    out: &mut Vec<Finding>,
) -> Option<ChannelTarget> {
    let Some(reference) = ref_of(channel.value) else {
        out.push(
            Finding::new(&codes::ASYNCAPI_REFERENCE, &channel.pointer, format!("the {owner}'s `channel` is not a `$ref`"))
                .with_help("define the channel under `channels` and refer to it: `channel: { $ref: '#/channels/<name>' }`"),
        );
        return None;
    };
    let written = internal_ref_pointer(reference)?;
    let slot = match doc.lookup(reference) {
        Ok(slot) => slot,
        Err(RefError::NotFound) => {
            out.push(
                Finding::new(
                    &codes::ASYNCAPI_REFERENCE,
                    &channel.pointer,
                    format!("the {owner}'s channel `{reference}` does not exist"),
                )
                .with_help("refer to a channel of `channels`: `#/channels/<name>`"),
            );
            return None;
        }
        Err(_) => return None,
    };
    if root_only && parent(&written) != Some("/channels") {
        out.push(
            Finding::new(
                &codes::ASYNCAPI_REFERENCE,
                &channel.pointer,
                format!("the {owner}'s channel `{reference}` is not in the root `channels`"),
            )
            .with_help("an operation under `operations` must refer to a channel under `channels`: `#/channels/<name>`"),
        );
    }
    let resolved = doc.deref(slot).ok()?;
    Some(ChannelTarget {
        written,
        resolved: resolved.pointer,
    })
}

/// Check the `messages` list of an operation or reply: each a `$ref` that
/// resolves, to a message of `channel` when it is known.
fn check_messages(
    doc: &Document<'_>,
    messages: &Located<'_>,
    channel: Option<&ChannelTarget>,
    out: &mut Vec<Finding>,
) {
    for message in messages.items() {
        let Some(reference) = ref_of(message.value) else {
            out.push(
                Finding::new(&codes::ASYNCAPI_REFERENCE, &message.pointer, "this entry of `messages` is not a `$ref`")
                    .with_help("refer to a message of the channel: `$ref: '#/channels/<channel>/messages/<message>'`"),
            );
            continue;
        };
        let slot = match doc.lookup(reference) {
            Ok(slot) => slot,
            Err(RefError::NotFound) => {
                out.push(Finding::new(
                    &codes::ASYNCAPI_REFERENCE,
                    &message.pointer,
                    format!("message `{reference}` does not exist"),
                ));
                continue;
            }
            Err(_) => continue,
        };
        let Some(channel) = channel else { continue };
        let written = internal_ref_pointer(reference).unwrap_or_default();
        let of_channel = |pointer: &str, channel_pointer: &str| {
            parent(pointer)
                .is_some_and(|messages| messages.strip_prefix(channel_pointer) == Some("/messages"))
        };
        if !of_channel(&written, &channel.written) && !of_channel(&slot.pointer, &channel.resolved)
        {
            let channel_ref = format!("#{}", channel.written);
            out.push(
                Finding::new(
                    &codes::ASYNCAPI_REFERENCE,
                    &message.pointer,
                    format!("message `{reference}` is not a message of channel `{channel_ref}`"),
                )
                .with_help(format!(
                    "list the message under the channel's `messages` and refer to it there: `{channel_ref}/messages/<name>`"
                )),
            );
        }
    }
}

/// Whether `node` is not a `$ref`, or is one that can be followed; reports
/// a `$ref` to nothing. References into other files and loops are left to
/// bundling.
fn resolves(doc: &Document<'_>, node: &Located<'_>, what: &str, out: &mut Vec<Finding>) -> bool {
    let Some(reference) = ref_of(node.value) else {
        return true;
    };
    match doc.resolve(reference) {
        Ok(_) => true,
        Err(RefError::NotFound) => {
            out.push(Finding::new(
                &codes::ASYNCAPI_REFERENCE,
                &node.pointer,
                format!("{what} `{reference}` does not exist"),
            ));
            false
        }
        Err(_) => false,
    }
}

/// The pointer of the parent node: `/a/b` → `/a`; `None` for the root.
fn parent(pointer: &str) -> Option<&str> {
    pointer.rsplit_once('/').map(|(parent, _)| parent)
}
