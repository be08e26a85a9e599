//! SLA engine: business calendars, policies and timers.
//!
//! - [`BusinessCalendar`]: when the clock runs (zone, weekly shifts,
//!   holidays, layered exceptions), with `add`/`elapsed` exact across DST.
//!   Its conventions are documented on the type.
//! - [`SlaPolicies`]: ordered [`SlaPolicy`]s; the first whose
//!   [`Conditions`] match a ticket (channel, priority, type, tags, the
//!   customer's segment from their [`Contract`]) applies, as in Zendesk.
//!   Each [`Target`] gives a [`Metric`], an optional priority, a duration,
//!   a [`Clock`] (24x7, support hours, or the customer's hours from the
//!   contract), warning points and the statuses that pause it.
//! - Metrics on a ticket ([`TicketSla`], [`MetricState`]) are small state
//!   machines recorded as [`SlaEvent`]s in the ticket's `sla` stream:
//!   activated, paused, resumed, retargeted, warned, breached (once),
//!   fulfilled (with the business time achieved), cancelled.
//!
//! The desk runs them: each ticket command decides its SLA consequences in
//! the same atomic append, `Desk::poll_timeout` returns the earliest
//! warning or breach in O(1), and `Desk::handle_timeout` fires everything
//! due in O(due · log n) and is a no-op when nothing is.
//!
//! **Zendesk's metrics, side by side.** [`Metric`] offers Zendesk's SLA
//! metrics by name and behaviour (Zendesk: "Defining and using SLA
//! policies", support.zendesk.com/hc/en-us/articles/4408829459866):
//!
//! | Zendesk metric | Zendesk's definition | here |
//! |---|---|---|
//! | first reply time | creation to the first public agent comment; not paused | [`Metric::FirstResponse`]: the customer's first public message to the first public agent reply; pending does not pause it |
//! | next reply time | oldest unanswered public end-user comment to the next public agent comment; not paused | [`Metric::NextResponse`]: each customer message after an agent's reply to the next public agent reply; pending does not pause it |
//! | periodic update | between public agent comments; never paused | [`Metric::PeriodicUpdate`]: the same, and also from the ticket's opening, so an incident owes its first update |
//! | pausable update | between public agent comments; paused in pending | [`Metric::PausableUpdate`]: the same |
//! | requester wait time | time in new, open and on-hold until solved | [`Metric::Resolution`]: opening (a reopen starts cycle 2) to solved, paused in pending |
//! | agent work time | time in new and open until solved | [`Metric::AgentWorkTime`]: the same, paused in pending and on-hold |
//! | total resolution time | creation to solved, every status | [`Metric::TotalResolutionTime`]: the same, never paused |
//!
//! The pauses are [`Target::new`]'s defaults ([`Metric::default_pause`]);
//! a target can name others. An agent's [`Metric::Promise`] is ours.
//!
//! **Contracts change by command.** `CustomerAction::SetContract` records
//! [`SlaEventKind::ContractChanged`] (who, when) and replaces the
//! configured [`Contract`] from then on; [`recontract`] retargets the
//! customer's running metrics at the change. Stretches run before a
//! change that is later lowered below are measured on the calendars in
//! force when it is computed.
//!
//! **Semantics worth knowing.** Internal notes fulfil nothing. Solving
//! fulfils the metrics that run to solved and cancels the reply and update
//! clocks; closing or merging cancels everything. Changing priority, type
//! or tags re-selects the policy and retargets running clocks, keeping the
//! business time already used; a target lowered below the time used was
//! missed when the time used passed it, and that instant is its deadline
//! (each live metric keeps the [`Stretch`]es its clock ran to say when):
//! the breach is recorded at the next `handle_timeout` with that deadline,
//! not the instant of the change. A deadline is the last on-time instant: a
//! reply at the deadline is on time if it is handled before the timeout.
//!
//! # Example: five minutes on social, wherever you are, whatever the time
//! ```
//! use chrono::{Duration, TimeZone, Utc};
//! use fanatical::prelude::*;
//! use fanatical::sla::*;
//!
//! let social = SlaPolicy::new(
//!     "social",
//!     Conditions::any().on_channels([ChannelKind::Social]),
//!     vec![Target::new(Metric::FirstResponse, Duration::minutes(5), Clock::Always).warn_at([60])],
//! );
//! let config = DeskConfig::default().with_sla(SlaConfig::new(SlaPolicies::new(vec![social])?));
//! let mut desk = Desk::new(config);
//! let mut store = MemoryStore::new();
//! let mut ids = IdGenerator::from_seed(5);
//! // Sunday, 3 a.m. UTC.
//! let now = Utc.with_ymd_and_hms(2026, 11, 8, 3, 0, 0).unwrap();
//! let (acme, jane, ticket) = (ids.next_id(), ids.next_id(), ids.next_id());
//! let handle = ChannelAddress::social(SocialNetwork::X, "@jane")?;
//! desk.execute(&mut store, Command::new(Actor::integration("setup"), CustomerAction::Register { id: acme, organisation: "Acme".into() }), now)?;
//! desk.execute(&mut store, Command::new(Actor::integration("setup"), CustomerAction::Update { customer: acme, command: CustomerCommand::AddContact {
//!     contact: jane, name: "Jane".into(), addresses: vec![handle.clone()] } }), now)?;
//! let post = Channel::Social { network: SocialNetwork::X, visibility: Visibility::Public };
//! desk.execute(&mut store, Command::new(Actor::integration("inbound"), TicketAction::Receive(InboundMessage::new(ticket, post, handle, "Site down!"))), now)?;
//!
//! // The warning is due at 3 minutes, the breach at 5.
//! assert_eq!(desk.poll_timeout(), Some(now + Duration::minutes(3)));
//! let fired = desk.handle_timeout(&mut store, now + Duration::minutes(6))?;
//! assert_eq!(fired.len(), 2);
//! let first = desk.tickets().sla(ticket).unwrap().live(Metric::FirstResponse).unwrap();
//! assert_eq!(first.breached, Some(now + Duration::minutes(5)));
//! // Calling again fires nothing: a breach is recorded once.
//! assert!(desk.handle_timeout(&mut store, now + Duration::minutes(7))?.is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Example: a 9-to-5 team is never told it breached at night
//! ```
//! use chrono::{Duration, TimeZone, Utc};
//! use chrono_tz::America::Chicago;
//! use fanatical::prelude::*;
//! use fanatical::sla::*;
//!
//! let hours: BusinessCalendar = serde_json::from_str(r#"{"tz": "America/Chicago",
//!     "hours": {"mon": [["09:00","17:00"]], "tue": [["09:00","17:00"]], "wed": [["09:00","17:00"]],
//!               "thu": [["09:00","17:00"]], "fri": [["09:00","17:00"]]},
//!     "holidays": ["2026-12-25"]}"#)?;
//! let standard = SlaPolicy::new("standard", Conditions::any(), vec![
//!     Target::new(Metric::FirstResponse, Duration::hours(2), Clock::SupportHours),
//! ]);
//! let sla = SlaConfig::new(SlaPolicies::new(vec![standard])?).with_support_hours(hours.clone());
//! let mut desk = Desk::new(DeskConfig::default().with_sla(sla));
//! let mut store = MemoryStore::new();
//! let mut ids = IdGenerator::from_seed(6);
//! // Christmas Eve, 16:00 in Chicago: one business hour left before the holiday.
//! let now = Chicago.with_ymd_and_hms(2026, 12, 24, 16, 0, 0).unwrap().with_timezone(&Utc);
//! let (acme, jane, ticket) = (ids.next_id(), ids.next_id(), ids.next_id());
//! let email = ChannelAddress::email("jane@acme.example")?;
//! desk.execute(&mut store, Command::new(Actor::integration("setup"), CustomerAction::Register { id: acme, organisation: "Acme".into() }), now)?;
//! desk.execute(&mut store, Command::new(Actor::integration("setup"), CustomerAction::Update { customer: acme, command: CustomerCommand::AddContact {
//!     contact: jane, name: "Jane".into(), addresses: vec![email.clone()] } }), now)?;
//! desk.execute(&mut store, Command::new(Actor::integration("inbound"), TicketAction::Receive(InboundMessage::new(ticket, Channel::Email, email, "Invoice?"))), now)?;
//!
//! // Due Monday 28th at 10:00 in Chicago, not in the night or on Christmas.
//! let due = Chicago.with_ymd_and_hms(2026, 12, 28, 10, 0, 0).unwrap().with_timezone(&Utc);
//! assert_eq!(desk.poll_timeout(), Some(due));
//! assert!(desk.handle_timeout(&mut store, due - Duration::seconds(1))?.is_empty());
//! assert!(hours.is_open(due));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod calendar;
mod policy;
mod reactor;
mod timer;

use chrono::{Duration, NaiveDate};

pub use calendar::{BusinessCalendar, DayHours, Exception, HolidaySet, Shift, TimeOfDay};
pub use policy::{
    Clock, Conditions, Contract, Metric, SlaConfig, SlaPolicies, SlaPolicy, Target, TicketFacts,
};
pub use reactor::{facts_of, promise, react, recontract};
pub use timer::{
    CancelReason, MetricKey, MetricState, Phase, Schedule, SlaEvent, SlaEventKind, SlaTimer,
    Stretch, TargetSpec, TicketSla, TimerKey, TimerKind,
};

/// Why a calendar or SLA operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SlaError {
    /// Not an IANA time zone name.
    #[error("unknown time zone {0:?}")]
    UnknownZone(String),
    /// Not `HH:MM` between 00:00 and 24:00.
    #[error("malformed time {0:?}: expected HH:MM from 00:00 to 24:00")]
    MalformedTime(String),
    /// Not `YYYY-MM-DD`.
    #[error("malformed date {0:?}: expected YYYY-MM-DD")]
    MalformedDate(String),
    /// A weekday key other than mon, tue, wed, thu, fri, sat, sun.
    #[error("unknown weekday {0:?}: expected one of mon, tue, wed, thu, fri, sat, sun")]
    UnknownWeekday(String),
    /// A shift that ends at or before it starts.
    #[error("shift {start}-{end} ends at or before it starts")]
    EmptyShift {
        /// Its start.
        start: String,
        /// Its end.
        end: String,
    },
    /// Two shifts of one day overlap.
    #[error("shifts {first} and {second} overlap")]
    OverlappingShifts {
        /// The earlier shift.
        first: String,
        /// The later shift.
        second: String,
    },
    /// A problem on a named day of the week or date.
    #[error("{day}: {source}")]
    OnDay {
        /// The weekday key or date.
        day: String,
        /// The problem.
        source: Box<SlaError>,
    },
    /// A date range that ends before it starts.
    #[error("date range {from} to {to} ends before it starts")]
    BackwardsRange {
        /// First date.
        from: NaiveDate,
        /// Last date.
        to: NaiveDate,
    },
    /// A negative business duration.
    #[error("business duration {0} is negative")]
    NegativeDuration(Duration),
    /// The calendar has no open time (after the start).
    #[error("the calendar never opens")]
    NeverOpen,
    /// The calendar is open around the clock: it never closes.
    #[error("the calendar never closes")]
    NeverCloses,
    /// A policy that cannot be used.
    #[error("policy {policy:?}: {reason}")]
    InvalidPolicy {
        /// The policy's name.
        policy: String,
        /// What is wrong.
        reason: String,
    },
    /// An agent's promise due at or before the moment it is made.
    #[error("a promise due at {due} is not after {now}")]
    PromiseInPast {
        /// When it was promised for.
        due: chrono::DateTime<chrono::Utc>,
        /// When it was made.
        now: chrono::DateTime<chrono::Utc>,
    },
    /// An instant outside the dates the crate can represent.
    #[error("instant out of the representable range")]
    OutOfRange,
    /// A configured duration out of range (a target over 100 years).
    #[error(transparent)]
    Duration(#[from] crate::time::DurationOutOfRange),
}

impl SlaError {
    /// This error, said of a weekday or date.
    #[must_use]
    pub fn on_day(self, day: &str) -> Self {
        SlaError::OnDay {
            day: day.to_owned(),
            source: Box::new(self),
        }
    }
}
