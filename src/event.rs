//! The record: every aggregate's events under one enum, and the streams
//! they are stored in.
//!
//! Events are facts: timestamped, serde-serialisable, never mutated. They
//! are the audit trail, and a desk is rebuilt from them alone.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::agent::{AgentEvent, TeamEvent};
use crate::channel::ChannelEvent;
use crate::coaching::CoachingEvent;
use crate::crisis::CrisisEvent;
use crate::customer::CustomerEvent;
use crate::guard::PostEvent;
use crate::id::{
    AgentId, CommandId, ContactId, CustomerId, EventId, IdError, IncidentId, MessageId, PraiseId,
    RefundId, TeamId, TicketId,
};
use crate::incident::IncidentEvent;
use crate::outbox::OutboxEvent;
use crate::recognition::RecognitionEvent;
use crate::refund::RefundEvent;
use crate::sla::SlaEvent;
use crate::survey::SurveyEvent;
use crate::ticket::TicketEvent;

/// The wire-format version of the events this build writes. Stored
/// records carry the version they were written in; records from before
/// events carried one read as 0 and have the same layout as version 1. A
/// record from a newer version is refused by the store port
/// (`store::check_schema`), never half-read.
///
/// History: 1 — the first versioned layout; 2 — every record carries its
/// actor and the idempotency key of the command that caused it
/// ([`crate::store::RecordedEvent::actor`], `command`), and keyed commands
/// are recorded on their own stream ([`CommandEvent`]). Records of 0 and 1
/// read with no actor and no key. 3 — a command's fingerprint
/// ([`CommandEventKind::Accepted`]) is the checksum of its actor and
/// action as serialized ([`crate::store::Fingerprint::checksum_of`]),
/// which takes every field, those whose `Debug` redacts (spend, refund
/// amounts) too; records of 2 carry a hash of the debug form, and a key
/// they accepted is still matched by that hash.
///
/// The golden files in `tests/golden/` pin the format: a change to them is
/// a change of this number, with a migration for the older layout.
pub const SCHEMA_VERSION: u32 = 3;

/// One event of any aggregate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "aggregate", content = "event", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Event {
    /// A customer event.
    Customer(CustomerEvent),
    /// An agent event.
    Agent(AgentEvent),
    /// A team event.
    Team(TeamEvent),
    /// A ticket event.
    Ticket(TicketEvent),
    /// An outbound-message event.
    Outbox(OutboxEvent),
    /// A ticket's SLA event.
    Sla(SlaEvent),
    /// A survey invitation or answer.
    Survey(SurveyEvent),
    /// Praise, kudos, certificates.
    Recognition(RecognitionEvent),
    /// Mistakes and coaching flags.
    Coaching(CoachingEvent),
    /// Official posts and their review.
    Post(PostEvent),
    /// Crisis flags (restricted).
    Crisis(CrisisEvent),
    /// Channel outages.
    Channel(ChannelEvent),
    /// A major incident's event.
    Incident(IncidentEvent),
    /// Detected trends and their escalation.
    Trend(crate::trend::TrendEvent),
    /// A command with an idempotency key was accepted.
    Command(CommandEvent),
    /// A goodwill credit or refund asked for, approved or declined.
    Refund(RefundEvent),
    /// The permission table (who may do what) was set.
    Permission(crate::permission::PermissionEvent),
    /// The custom-field configuration changed: a field defined,
    /// relabelled, its options changed or retired, a form set.
    Fields(crate::form::FieldsEvent),
    /// The desk's business rules.
    Rules(crate::rules::RulesEvent),
    /// A message from an unknown sender held for triage, and how it was
    /// resolved.
    Triage(crate::ticket::TriageEvent),
}

/// The record that a command with an idempotency key was accepted: the
/// first event of its decision, on the key's own stream, so a repeat of
/// the key is recognised by every desk on the store and after a rebuild.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandEvent {
    /// When.
    pub at: DateTime<Utc>,
    /// What.
    pub kind: CommandEventKind,
}

/// What happened to a keyed command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum CommandEventKind {
    /// Accepted: its events follow in the same append.
    Accepted {
        /// The key.
        key: crate::actor::CommandKey,
        /// A fingerprint of the command (actor and action): the same key
        /// with another fingerprint is a different command, and refused.
        /// From schema 3 the checksum of their serialized form; before, a
        /// hash of their debug form (see [`SCHEMA_VERSION`]).
        fingerprint: u64,
    },
}

impl Event {
    /// When it happened.
    #[must_use]
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            Event::Customer(e) => e.at,
            Event::Agent(e) => e.at,
            Event::Team(e) => e.at,
            Event::Ticket(e) => e.at,
            Event::Outbox(e) => e.at,
            Event::Sla(e) => e.at,
            Event::Survey(e) => e.at,
            Event::Recognition(e) => e.at,
            Event::Coaching(e) => e.at,
            Event::Post(e) => e.at,
            Event::Crisis(e) => e.at,
            Event::Channel(e) => e.at,
            Event::Incident(e) => e.at,
            Event::Trend(e) => e.at,
            Event::Command(e) => e.at,
            Event::Refund(e) => e.at,
            Event::Permission(e) => e.at,
            Event::Fields(e) => e.at,
            Event::Rules(e) => e.at,
            Event::Triage(e) => e.at,
        }
    }
}

/// The stream an event belongs to: one per aggregate instance. Written as
/// `ticket-<uuid>`, `customer-<uuid>`, `message-<uuid>`, ... and, for the
/// few desk-wide records, a bare name such as `trends`.
///
/// # Partitioning: who contends with whom
/// A decision writes each stream at the version its desk last saw, so two
/// desks (or two decisions from one desk state) conflict exactly when they
/// write a stream in common. Streams are cut along what each area's rules
/// read, so that a rule is still checked by the store's version check and
/// work on unrelated tickets never meets on a stream:
///
/// | Records | Stream | Rule the version check keeps |
/// |---|---|---|
/// | a ticket | [`StreamId::Ticket`] | one change at a time per ticket |
/// | an outbound message: queued, failed, delivered, abandoned | [`StreamId::Message`] | a message is acknowledged once, its id taken once |
/// | a contact's survey invitations and answers | [`StreamId::Invitations`] | the contact's quiet period; an invitation answered once |
/// | a praise, its acknowledgement and reminders | [`StreamId::Praise`] | a praise id recorded once, acknowledged once |
/// | an agent's mistakes and coaching flags | [`StreamId::Mistakes`] | repeats within the window are counted per agent |
///
/// So an ordinary reply writes its ticket and one stream per message it
/// queues; a delivery acknowledgement writes that message's stream; a
/// solve with its CSAT invitation writes the ticket, the requester's
/// invitations and the invitation's email; kudos write the praise's stream
/// and its pages. Two tickets of one requester solved at once still meet
/// on that requester's invitations, as they should: only one may invite
/// them within the quiet period.
///
/// The desk keeps one version per stream it has seen, so it holds one
/// entry per message, praise, contact surveyed and agent coached, as it
/// holds one per ticket.
///
/// The desk-wide streams left ([`StreamId::Recognition`] for the
/// committee, certificates with their serial numbers and peer
/// recognition; [`StreamId::Posts`], [`StreamId::Crisis`],
/// [`StreamId::Channels`], [`StreamId::Trends`], [`StreamId::Fields`])
/// hold rare work done by hand or by periodic checks, never the path of a
/// reply.
///
/// # Legacy streams
/// Stores written before this partitioning hold every outbound message on
/// [`StreamId::Outbox`], every survey event on [`StreamId::Surveys`] and
/// every praise on [`StreamId::Recognition`], and mistakes on
/// [`StreamId::Coaching`]. They still read and apply to the same desk;
/// the desk writes new events only to the partitioned streams (a later
/// event about an old message goes to its [`StreamId::Message`] stream,
/// which is where a second desk acknowledging it would meet it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum StreamId {
    /// A customer's stream.
    Customer(CustomerId),
    /// An agent's stream.
    Agent(AgentId),
    /// A team's stream.
    Team(TeamId),
    /// A ticket's stream.
    Ticket(TicketId),
    /// Legacy: every outbound message, in stores written before messages
    /// had their own [`StreamId::Message`] streams. Read and applied,
    /// never written.
    Outbox,
    /// A ticket's SLA record.
    Sla(TicketId),
    /// Legacy: every survey invitation and answer, in stores written
    /// before each contact had its [`StreamId::Invitations`]. Read and
    /// applied, never written.
    Surveys,
    /// The recognition programme's desk-wide records: the committee,
    /// certificates (with their serial sequence) and peer recognition. In
    /// stores written before [`StreamId::Praise`] streams, also every
    /// praise, its acknowledgement and reminders.
    Recognition,
    /// Legacy: every mistake and coaching flag, in stores written before
    /// each agent had their [`StreamId::Mistakes`]. Read and applied,
    /// never written.
    Coaching,
    /// Official posts and their review.
    Posts,
    /// Crisis records (restricted to the safety role).
    Crisis,
    /// Channel outages.
    Channels,
    /// A major incident.
    Incident(IncidentId),
    /// Detected trends.
    Trends,
    /// One idempotency key's command.
    Command(CommandId),
    /// A customer's SLA contract: which contract they are on, as changed
    /// by command.
    Contract(CustomerId),
    /// One goodwill credit or refund: asked for (its first event), then
    /// approved or declined. Its own stream, so that two desks choosing
    /// the same id conflict instead of recording two refunds under it.
    Refund(RefundId),
    /// One outbound message: queued (its first event), then failed,
    /// delivered or abandoned.
    Message(MessageId),
    /// One contact's survey invitations and their answers.
    Invitations(ContactId),
    /// One praise: recorded (its first event), acknowledged, reminded.
    Praise(PraiseId),
    /// One agent's mistakes and the coaching flags they raise.
    Mistakes(AgentId),
    /// One customer's archived tickets: an index of the tickets that left
    /// the desk's memory (each a ticket `archived` event), read from the
    /// store when a command needs them (a message on an archived ticket,
    /// an erasure).
    Archive(CustomerId),
    /// The desk's permission table, each version replacing the one
    /// before (the configured table until the first).
    Permissions,
    /// The custom-field configuration: field definitions and the forms
    /// of ticket types (configuration, changed by hand).
    Fields,
    /// A message from an unknown sender held for triage: held (its first
    /// event), then attached to a contact or discarded. It bears the id
    /// of the ticket it opens when it is attached.
    Triage(TicketId),
    /// The desk's business rules (triggers), each version replacing the
    /// one before (the configured rules until the first).
    Rules,
}

impl StreamId {
    fn parts(&self) -> (&'static str, Option<Uuid>) {
        match self {
            StreamId::Customer(id) => ("customer", Some(id.as_uuid())),
            StreamId::Agent(id) => ("agent", Some(id.as_uuid())),
            StreamId::Team(id) => ("team", Some(id.as_uuid())),
            StreamId::Ticket(id) => ("ticket", Some(id.as_uuid())),
            StreamId::Outbox => ("outbox", None),
            StreamId::Sla(id) => ("sla", Some(id.as_uuid())),
            StreamId::Surveys => ("surveys", None),
            StreamId::Recognition => ("recognition", None),
            StreamId::Coaching => ("coaching", None),
            StreamId::Posts => ("posts", None),
            StreamId::Crisis => ("crisis", None),
            StreamId::Channels => ("channels", None),
            StreamId::Incident(id) => ("incident", Some(id.as_uuid())),
            StreamId::Trends => ("trends", None),
            StreamId::Permissions => ("permissions", None),
            StreamId::Command(id) => ("command", Some(id.as_uuid())),
            StreamId::Contract(id) => ("contract", Some(id.as_uuid())),
            StreamId::Refund(id) => ("refund", Some(id.as_uuid())),
            StreamId::Message(id) => ("message", Some(id.as_uuid())),
            StreamId::Invitations(id) => ("invitations", Some(id.as_uuid())),
            StreamId::Praise(id) => ("praise", Some(id.as_uuid())),
            StreamId::Mistakes(id) => ("mistakes", Some(id.as_uuid())),
            StreamId::Archive(id) => ("archive", Some(id.as_uuid())),
            StreamId::Fields => ("fields", None),
            StreamId::Triage(id) => ("triage", Some(id.as_uuid())),
            StreamId::Rules => ("rules", None),
        }
    }

    /// The id of the event at `version` (from 1) of this stream. Derived,
    /// so every writer and every rebuild names an event the same way.
    #[must_use]
    pub fn event_id(&self, version: u64) -> EventId {
        let (kind, uuid) = self.parts();
        let disc = kind.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        EventId::derive(uuid.unwrap_or(Uuid::nil()), disc, version)
    }
}

/// A stream as messages name things: its kind and id apart ("ticket
/// 6f1c…", as in "unknown ticket 6f1c…"), or its kind alone.
pub(crate) struct Named<'a>(pub(crate) &'a StreamId);

impl fmt::Display for Named<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.parts() {
            (kind, Some(uuid)) => write!(f, "{kind} {}", uuid.hyphenated()),
            (kind, None) => write!(f, "the {kind} stream"),
        }
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.parts() {
            (kind, Some(uuid)) => write!(f, "{kind}-{}", uuid.hyphenated()),
            (kind, None) => f.write_str(kind),
        }
    }
}

impl FromStr for StreamId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "outbox" {
            return Ok(StreamId::Outbox);
        }
        if s == "surveys" {
            return Ok(StreamId::Surveys);
        }
        if s == "recognition" {
            return Ok(StreamId::Recognition);
        }
        if s == "coaching" {
            return Ok(StreamId::Coaching);
        }
        if s == "posts" {
            return Ok(StreamId::Posts);
        }
        if s == "crisis" {
            return Ok(StreamId::Crisis);
        }
        if s == "channels" {
            return Ok(StreamId::Channels);
        }
        if s == "trends" {
            return Ok(StreamId::Trends);
        }
        if s == "permissions" {
            return Ok(StreamId::Permissions);
        }
        if s == "fields" {
            return Ok(StreamId::Fields);
        }
        if s == "rules" {
            return Ok(StreamId::Rules);
        }
        let bad = || IdError {
            kind: "stream",
            value: s.to_owned(),
            expected: "a stream name such as `outbox` or `ticket-<uuid>`",
        };
        let (kind, rest) = s.split_once('-').ok_or_else(bad)?;
        let uuid = Uuid::parse_str(rest).map_err(|_| bad())?;
        match kind {
            "customer" => Ok(StreamId::Customer(CustomerId::from_uuid(uuid))),
            "agent" => Ok(StreamId::Agent(AgentId::from_uuid(uuid))),
            "team" => Ok(StreamId::Team(TeamId::from_uuid(uuid))),
            "ticket" => Ok(StreamId::Ticket(TicketId::from_uuid(uuid))),
            "sla" => Ok(StreamId::Sla(TicketId::from_uuid(uuid))),
            "incident" => Ok(StreamId::Incident(IncidentId::from_uuid(uuid))),
            "command" => Ok(StreamId::Command(CommandId::from_uuid(uuid))),
            "contract" => Ok(StreamId::Contract(CustomerId::from_uuid(uuid))),
            "refund" => Ok(StreamId::Refund(RefundId::from_uuid(uuid))),
            "archive" => Ok(StreamId::Archive(CustomerId::from_uuid(uuid))),
            "triage" => Ok(StreamId::Triage(TicketId::from_uuid(uuid))),
            "message" => Ok(StreamId::Message(MessageId::from_uuid(uuid))),
            "invitations" => Ok(StreamId::Invitations(ContactId::from_uuid(uuid))),
            "praise" => Ok(StreamId::Praise(PraiseId::from_uuid(uuid))),
            "mistakes" => Ok(StreamId::Mistakes(AgentId::from_uuid(uuid))),
            _ => Err(bad()),
        }
    }
}

impl Serialize for StreamId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for StreamId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_ids_print_and_parse() {
        let t = StreamId::Ticket(TicketId::from_uuid(Uuid::from_u128(5)));
        let s = t.to_string();
        assert_eq!(s, "ticket-00000000-0000-0000-0000-000000000005");
        assert_eq!(s.parse::<StreamId>().unwrap(), t);
        assert_eq!("outbox".parse::<StreamId>().unwrap(), StreamId::Outbox);
        assert_eq!("trends".parse::<StreamId>().unwrap(), StreamId::Trends);
        assert_eq!("fields".parse::<StreamId>().unwrap(), StreamId::Fields);
        assert_eq!(StreamId::Fields.to_string(), "fields");
        let i = StreamId::Incident(IncidentId::from_uuid(Uuid::from_u128(7)));
        assert_eq!(i.to_string().parse::<StreamId>().unwrap(), i);
        assert_ne!(
            i.event_id(1),
            StreamId::Ticket(TicketId::from_uuid(Uuid::from_u128(7))).event_id(1)
        );
        for bad in [
            "",
            "ticket",
            "ticket-xyz",
            "robot-00000000-0000-0000-0000-000000000005",
        ] {
            assert!(bad.parse::<StreamId>().is_err(), "{bad}");
        }
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(serde_json::from_str::<StreamId>(&json).unwrap(), t);
    }

    #[test]
    fn partitioned_streams_print_and_parse_beside_the_legacy_ones() {
        let u = Uuid::from_u128(0x2a);
        let text = "00000000-0000-0000-0000-00000000002a";
        for (stream, name) in [
            (
                StreamId::Message(MessageId::from_uuid(u)),
                format!("message-{text}"),
            ),
            (
                StreamId::Invitations(ContactId::from_uuid(u)),
                format!("invitations-{text}"),
            ),
            (
                StreamId::Praise(PraiseId::from_uuid(u)),
                format!("praise-{text}"),
            ),
            (
                StreamId::Mistakes(AgentId::from_uuid(u)),
                format!("mistakes-{text}"),
            ),
            (StreamId::Outbox, "outbox".to_owned()),
            (StreamId::Surveys, "surveys".to_owned()),
            (StreamId::Recognition, "recognition".to_owned()),
            (StreamId::Coaching, "coaching".to_owned()),
        ] {
            assert_eq!(stream.to_string(), name);
            assert_eq!(name.parse::<StreamId>().unwrap(), stream);
        }
        // A partition's events never share ids with its legacy stream's.
        assert_ne!(
            StreamId::Message(MessageId::from_uuid(Uuid::nil())).event_id(1),
            StreamId::Outbox.event_id(1)
        );
        assert_ne!(
            StreamId::Invitations(ContactId::from_uuid(Uuid::nil())).event_id(1),
            StreamId::Surveys.event_id(1)
        );
    }

    #[test]
    fn event_ids_differ_between_kinds_sharing_a_uuid() {
        let u = Uuid::from_u128(9);
        let a = StreamId::Ticket(TicketId::from_uuid(u)).event_id(1);
        let b = StreamId::Customer(CustomerId::from_uuid(u)).event_id(1);
        assert_ne!(a, b);
        assert_ne!(StreamId::Outbox.event_id(1), StreamId::Outbox.event_id(2));
    }
}
