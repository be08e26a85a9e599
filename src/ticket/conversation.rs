//! Who else is in a conversation, the time spent on it, and splitting part
//! of it off.
//!
//! - **CCs** are contacts of the ticket's customer who receive its public
//!   replies besides the requester (the desk routes each on their own
//!   channel). A CC sees the public thread, never an internal note.
//! - **Followers** are agents told internally of every new entry.
//! - **Time** is logged per agent: each entry a positive duration of at
//!   most [`MAX_TIME_LOGGED`], with an optional internal note.
//! - **Splitting** moves chosen entries to a new ticket linked both ways
//!   ([`Ticket::split_off`]).
//!
//! ```
//! use chrono::{Duration, TimeZone, Utc};
//! use fanatical::channel::Channel;
//! use fanatical::id::{AgentId, ContactId, CustomerId, TicketId};
//! use fanatical::ticket::*;
//!
//! let now = Utc.with_ymd_and_hms(2026, 5, 4, 2, 0, 0).unwrap();
//! let id = |n| uuid::Uuid::from_u128(n);
//! let (jane, bob, ana) = (ContactId::from_uuid(id(2)), ContactId::from_uuid(id(5)), AgentId::from_uuid(id(3)));
//! let open = OpenTicket::new(TicketId::from_uuid(id(1)), CustomerId::from_uuid(id(4)), "Site down", Channel::Email)
//!     .requested_by(jane)
//!     .with_message(Author::Contact(jane), "Down, and billing is wrong too.");
//! let mut t = Ticket::from_events(&Ticket::open(open, &TicketRules::default(), now)?).unwrap();
//! for command in [
//!     TicketCommand::AddCc { contact: bob },
//!     TicketCommand::AddFollower { agent: ana },
//!     TicketCommand::LogTime { agent: ana, duration: Duration::minutes(25), note: None },
//! ] {
//!     for e in t.handle(command, now)? { t.apply(&e); }
//! }
//! assert!(t.ccs().contains(&bob) && t.followers().contains(&ana));
//! assert_eq!(t.time_total(), Duration::minutes(25));
//!
//! // A duration that is not positive, or over a day, is refused.
//! let huge = TicketCommand::LogTime { agent: ana, duration: Duration::MAX, note: None };
//! assert!(matches!(t.handle(huge, now), Err(TicketError::TimeOutOfRange { .. })));
//! # Ok::<(), TicketError>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{Entry, EntryOrigin, Ticket, TicketError, TicketEvent, TicketEventKind};
use crate::id::{AgentId, ContactId, TicketId};

/// The longest time one entry may log: a day.
pub const MAX_TIME_LOGGED: Duration = Duration::hours(24);

/// The shortest time one entry may log: a second.
pub const MIN_TIME_LOGGED: Duration = Duration::seconds(1);

/// Time an agent logged on a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TimeEntry {
    /// When it was logged.
    pub at: DateTime<Utc>,
    /// Who spent it.
    pub agent: AgentId,
    /// How long.
    #[serde(with = "crate::time::seconds")]
    pub duration: Duration,
    /// What it was spent on (internal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What most tickets never get: CCs, followers, time logged, and the
/// highest entry number split off (so numbers are never reused).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Participants {
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub(super) ccs: BTreeSet<ContactId>,
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub(super) followers: BTreeSet<AgentId>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) time: Vec<TimeEntry>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub(super) split_high: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

static NO_CCS: BTreeSet<ContactId> = BTreeSet::new();
static NO_FOLLOWERS: BTreeSet<AgentId> = BTreeSet::new();

/// The events a split decides for each of the two tickets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitEvents {
    /// For the ticket split from: the entries leave it.
    pub source: Vec<TicketEvent>,
    /// For the new ticket: its opening and the entries.
    pub new: Vec<TicketEvent>,
}

impl Ticket {
    /// The contacts copied on public replies, besides the requester (the
    /// raw set: the desk's views and deliveries leave out erased ones).
    #[must_use]
    pub fn ccs(&self) -> &BTreeSet<ContactId> {
        self.participants.as_ref().map_or(&NO_CCS, |p| &p.ccs)
    }

    /// The agents told of every new entry.
    #[must_use]
    pub fn followers(&self) -> &BTreeSet<AgentId> {
        self.participants
            .as_ref()
            .map_or(&NO_FOLLOWERS, |p| &p.followers)
    }

    /// Every time entry, in the order logged.
    #[must_use]
    pub fn time_entries(&self) -> &[TimeEntry] {
        self.participants.as_ref().map_or(&[], |p| &p.time)
    }

    /// All the time logged on the ticket (saturating).
    #[must_use]
    pub fn time_total(&self) -> Duration {
        self.time_entries()
            .iter()
            .fold(Duration::zero(), |a, e| crate::time::sum(a, e.duration))
    }

    /// The time each agent logged on the ticket (saturating).
    #[must_use]
    pub fn time_by_agent(&self) -> BTreeMap<AgentId, Duration> {
        let mut out = BTreeMap::new();
        for e in self.time_entries() {
            let t = out.entry(e.agent).or_insert_with(Duration::zero);
            *t = crate::time::sum(*t, e.duration);
        }
        out
    }

    pub(super) fn participants_mut(&mut self) -> &mut Participants {
        self.participants.get_or_insert_with(Box::default)
    }

    /// Drops the participants once nothing is left in them, so a ticket
    /// compares equal however it got there.
    pub(super) fn tidy_participants(&mut self) {
        if self
            .participants
            .as_deref()
            .is_some_and(|p| *p == Participants::default())
        {
            self.participants = None;
        }
    }

    /// The highest entry number split off, 0 if none.
    pub(super) fn split_high(&self) -> u32 {
        self.participants.as_ref().map_or(0, |p| p.split_high)
    }

    /// Decides a CC, follower or time command (the caller has checked the
    /// ticket is not closed).
    pub(super) fn handle_participants(
        &self,
        command: super::TicketCommand,
    ) -> Result<Vec<TicketEventKind>, TicketError> {
        use super::TicketCommand as C;
        use TicketEventKind as K;
        let kind = match command {
            C::AddCc { contact } => {
                if self.requester == Some(contact) {
                    return Err(TicketError::CcIsRequester {
                        ticket: self.id,
                        contact,
                    });
                }
                (!self.ccs().contains(&contact)).then_some(K::CcAdded { contact })
            }
            C::RemoveCc { contact } => self
                .ccs()
                .contains(&contact)
                .then_some(K::CcRemoved { contact }),
            C::AddFollower { agent } => {
                (!self.followers().contains(&agent)).then_some(K::FollowerAdded { agent })
            }
            C::RemoveFollower { agent } => self
                .followers()
                .contains(&agent)
                .then_some(K::FollowerRemoved { agent }),
            C::LogTime {
                agent,
                duration,
                note,
            } => {
                crate::time::check(
                    format!("time logged on ticket {}", self.id),
                    duration,
                    MIN_TIME_LOGGED,
                    MAX_TIME_LOGGED,
                )
                .map_err(|range| TicketError::TimeOutOfRange {
                    ticket: self.id,
                    range,
                })?;
                let note = note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
                Some(K::TimeLogged {
                    agent,
                    duration,
                    note,
                })
            }
            _ => None,
        };
        Ok(kind.into_iter().collect())
    }

    /// Folds a CC, follower, time or split event.
    pub(super) fn apply_participants(&mut self, at: DateTime<Utc>, kind: &TicketEventKind) {
        use TicketEventKind as K;
        match kind {
            K::CcAdded { contact } => {
                self.participants_mut().ccs.insert(*contact);
            }
            K::CcRemoved { contact } => {
                self.participants_mut().ccs.remove(contact);
            }
            K::FollowerAdded { agent } => {
                self.participants_mut().followers.insert(*agent);
            }
            K::FollowerRemoved { agent } => {
                self.participants_mut().followers.remove(agent);
            }
            K::TimeLogged {
                agent,
                duration,
                note,
            } => self.participants_mut().time.push(TimeEntry {
                at,
                agent: *agent,
                duration: *duration,
                note: note.clone(),
            }),
            K::SplitOff { into, entries } => {
                let chosen: BTreeSet<u32> = entries.iter().copied().collect();
                self.conversation.retain(|e| !chosen.contains(&e.number));
                if let Some(high) = chosen.last().copied() {
                    let p = self.participants_mut();
                    p.split_high = p.split_high.max(high);
                }
                self.links_mut().split_into.insert(*into);
            }
            K::SplitFrom { source, entries } => {
                self.conversation.extend(entries.iter().cloned());
                self.links_mut().split_from = Some(*source);
            }
            _ => {}
        }
        self.tidy_participants();
    }

    /// Decides splitting the entries numbered `entries` off into a new
    /// ticket `new`: the new ticket opens now for the same customer and
    /// requester, with this ticket's subject, channel, priority and type,
    /// and holds those entries (renumbered from 1 in conversation order,
    /// each keeping its origin; internal notes stay internal). This ticket
    /// keeps its other entries. Each links to the other.
    ///
    /// # Errors
    /// [`TicketError::Closed`]; [`TicketError::SelfReference`] when `new`
    /// is this ticket; [`TicketError::NoEntriesChosen`];
    /// [`TicketError::RepeatedEntry`]; [`TicketError::UnknownEntry`];
    /// [`TicketError::AllEntriesChosen`] (a split leaves something behind:
    /// moving everything is a merge the other way).
    pub fn split_off(
        &self,
        new: TicketId,
        entries: &[u32],
        now: DateTime<Utc>,
    ) -> Result<SplitEvents, TicketError> {
        if self.status == super::Status::Closed {
            return Err(TicketError::Closed(self.id));
        }
        if new == self.id {
            return Err(TicketError::SelfReference(self.id));
        }
        if entries.is_empty() {
            return Err(TicketError::NoEntriesChosen(self.id));
        }
        let mut chosen = BTreeSet::new();
        for &number in entries {
            if !chosen.insert(number) {
                return Err(TicketError::RepeatedEntry {
                    ticket: self.id,
                    number,
                });
            }
            if !self.conversation.iter().any(|e| e.number == number) {
                return Err(TicketError::UnknownEntry {
                    ticket: self.id,
                    number,
                });
            }
        }
        if chosen.len() == self.conversation.len() {
            return Err(TicketError::AllEntriesChosen(self.id));
        }
        let moved: Vec<Entry> = self
            .conversation
            .iter()
            .filter(|e| chosen.contains(&e.number))
            .zip(1u32..)
            .map(|(e, number)| Entry {
                number,
                origin: Some(e.origin.unwrap_or(EntryOrigin {
                    ticket: self.id,
                    number: e.number,
                })),
                ..e.clone()
            })
            .collect();
        let at = |kind| TicketEvent { at: now, kind };
        Ok(SplitEvents {
            source: vec![at(TicketEventKind::SplitOff {
                into: new,
                entries: chosen.into_iter().collect(),
            })],
            new: vec![
                at(TicketEventKind::Opened {
                    id: new,
                    customer: self.customer,
                    requester: self.requester,
                    subject: self.subject.clone(),
                    channel: self.channel.clone(),
                    priority: self.priority,
                    ticket_type: self.ticket_type,
                    tags: BTreeSet::new(),
                    // Like tags, field values stay with the source.
                    fields: crate::field::FieldValues::default(),
                }),
                at(TicketEventKind::SplitFrom {
                    source: self.id,
                    entries: moved,
                }),
            ],
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::channel::Channel;
    use crate::id::CustomerId;
    use crate::ticket::{Author, OpenTicket, TicketCommand, TicketRules};

    fn id(n: u128) -> uuid::Uuid {
        uuid::Uuid::from_u128(n)
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 4, 2, 0, 0).unwrap()
    }

    /// A ticket Jane opened with `n` messages.
    fn ticket(n: u32) -> Ticket {
        let jane = ContactId::from_uuid(id(2));
        let open = OpenTicket::new(
            TicketId::from_uuid(id(1)),
            CustomerId::from_uuid(id(4)),
            "Down",
            Channel::Email,
        )
        .requested_by(jane);
        let mut t =
            Ticket::from_events(&Ticket::open(open, &TicketRules::default(), now()).unwrap())
                .unwrap();
        for k in 0..n {
            let reply = TicketCommand::Reply {
                author: Author::Contact(jane),
                channel: Channel::Email,
                body: format!("message {k}"),
                attachments: vec![],
            };
            for e in t.handle(reply, now()).unwrap() {
                t.apply(&e);
            }
        }
        t
    }

    fn run(t: &mut Ticket, c: TicketCommand) -> Result<usize, TicketError> {
        let events = t.handle(c, now())?;
        for e in &events {
            t.apply(e);
        }
        Ok(events.len())
    }

    #[test]
    fn a_cc_added_twice_or_removed_when_absent_decides_nothing_and_leaves_no_trace() {
        let mut t = ticket(1);
        let before = t.clone();
        let bob = ContactId::from_uuid(id(5));
        assert_eq!(run(&mut t, TicketCommand::AddCc { contact: bob }), Ok(1));
        assert_eq!(run(&mut t, TicketCommand::AddCc { contact: bob }), Ok(0));
        assert_eq!(run(&mut t, TicketCommand::RemoveCc { contact: bob }), Ok(1));
        assert_eq!(run(&mut t, TicketCommand::RemoveCc { contact: bob }), Ok(0));
        assert_eq!(t, before, "nothing left once the last CC goes");
    }

    #[test]
    fn the_requester_is_never_a_cc() {
        let mut t = ticket(1);
        let jane = t.requester().unwrap();
        assert_eq!(
            run(&mut t, TicketCommand::AddCc { contact: jane }),
            Err(TicketError::CcIsRequester {
                ticket: t.id(),
                contact: jane
            })
        );
    }

    #[test]
    fn time_is_bounded_at_both_ends_inclusive() {
        let mut t = ticket(1);
        let ana = AgentId::from_uuid(id(3));
        let log = |d| TicketCommand::LogTime {
            agent: ana,
            duration: d,
            note: None,
        };
        assert_eq!(run(&mut t, log(MIN_TIME_LOGGED)), Ok(1));
        assert_eq!(run(&mut t, log(MAX_TIME_LOGGED)), Ok(1));
        for bad in [
            Duration::zero(),
            MIN_TIME_LOGGED - Duration::nanoseconds(1),
            MAX_TIME_LOGGED + Duration::nanoseconds(1),
            Duration::MIN,
        ] {
            assert!(matches!(
                run(&mut t, log(bad)),
                Err(TicketError::TimeOutOfRange { .. })
            ));
        }
        assert_eq!(t.time_total(), MIN_TIME_LOGGED + MAX_TIME_LOGGED);
        assert_eq!(t.time_by_agent().get(&ana), Some(&t.time_total()));
    }

    #[test]
    fn time_totals_saturate_instead_of_overflowing() {
        let mut t = ticket(1);
        let ana = AgentId::from_uuid(id(3));
        let huge = TicketEvent {
            at: now(),
            kind: TicketEventKind::TimeLogged {
                agent: ana,
                duration: Duration::MAX,
                note: None,
            },
        };
        t.apply(&huge);
        t.apply(&huge);
        assert_eq!(t.time_total(), Duration::MAX);
    }

    #[test]
    fn a_split_checks_its_entries_before_anything_else_is_decided() {
        let t = ticket(3);
        let new = TicketId::from_uuid(id(9));
        let me = t.id();
        assert_eq!(
            t.split_off(new, &[], now()),
            Err(TicketError::NoEntriesChosen(me))
        );
        assert_eq!(
            t.split_off(new, &[1, 2, 3], now()),
            Err(TicketError::AllEntriesChosen(me))
        );
        assert_eq!(
            t.split_off(new, &[0], now()),
            Err(TicketError::UnknownEntry {
                ticket: me,
                number: 0
            })
        );
        assert_eq!(
            t.split_off(new, &[1, 1], now()),
            Err(TicketError::RepeatedEntry {
                ticket: me,
                number: 1
            })
        );
        assert_eq!(
            t.split_off(me, &[1], now()),
            Err(TicketError::SelfReference(me))
        );
    }

    #[test]
    fn the_source_forgets_the_entries_split_off_and_never_reuses_their_numbers() {
        let mut t = ticket(3);
        let new = TicketId::from_uuid(id(9));
        let split = t.split_off(new, &[3, 2], now()).unwrap();
        for e in &split.source {
            t.apply(e);
        }
        assert_eq!(t.conversation().len(), 1);
        assert_eq!(t.next_number(), 4);
        assert!(t.links().split_into.contains(&new));
        let n = Ticket::from_events(&split.new).unwrap();
        let numbers: Vec<_> = n.conversation().iter().map(|e| e.number).collect();
        assert_eq!(numbers, [1, 2]);
        assert_eq!(n.next_number(), 3);
    }
}
