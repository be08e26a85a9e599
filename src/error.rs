//! The crate's error type: every module's error, gathered.
//!
//! Each module has its own error enum (matching on it tells exactly what
//! was wrong); [`Error`] wraps them all so `?` works across modules, the
//! validation reports of graphs and organisations ([`GraphProblems`],
//! [`OrgProblems`]) included. Messages are lowercase, have no final
//! period, and name the ids and values involved.
//!
//! [`Error::kind`] sorts any error into what the caller does about it: a
//! refusal (bad input, a rule says no: tell whoever asked), misuse of the
//! API (events applied out of order: fix the calling code), a conflict
//! (another writer got there first: catch up and decide again), or a
//! failing store or transport.
//!
//! ```
//! use fanatical::escalation::EscalationGraph;
//! use fanatical::error::ErrorKind;
//!
//! fn build() -> Result<EscalationGraph, fanatical::Error> {
//!     // An empty graph has problems; `?` turns them into the crate error.
//!     Ok(EscalationGraph::builder().build()?)
//! }
//! let err = build().unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::Refused);
//! assert!(!err.is_misuse());
//! ```

use crate::agent::AgentError;
use crate::channel::ChannelError;
use crate::customer::CustomerError;
use crate::desk::DeskError;
use crate::escalation::{EscalationError, GraphProblems};
use crate::guard::GuardError;
use crate::id::IdError;
use crate::org::{OrgError, OrgProblems};
use crate::recognition::RecognitionError;
use crate::refund::RefundError;
use crate::routing::RoutingError;
use crate::sla::SlaError;
use crate::store::StoreError;
use crate::survey::SurveyError;
pub use crate::text::BlankText;
use crate::ticket::TicketError;
use crate::time::DurationOutOfRange;
use crate::transport::TransportError;
use crate::view::ViewError;

/// Any error of the crate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A malformed id.
    #[error(transparent)]
    Id(#[from] IdError),
    /// An invalid actor or command key.
    #[error(transparent)]
    Actor(#[from] crate::actor::ActorError),
    /// A bad channel address.
    #[error(transparent)]
    Channel(#[from] ChannelError),
    /// An agent or team command was refused.
    #[error(transparent)]
    Agent(#[from] AgentError),
    /// A customer command was refused.
    #[error(transparent)]
    Customer(#[from] CustomerError),
    /// A ticket command was refused.
    #[error(transparent)]
    Ticket(#[from] TicketError),
    /// The desk refused a command (unknown ids, misuse).
    #[error(transparent)]
    Desk(#[from] DeskError),
    /// An escalation graph problem.
    #[error(transparent)]
    Escalation(#[from] EscalationError),
    /// An official post was refused.
    #[error(transparent)]
    Guard(#[from] GuardError),
    /// An organisation problem.
    #[error(transparent)]
    Org(#[from] OrgError),
    /// A crisis refusal (a merge only a safety responder may do, a blank
    /// phrase).
    #[error(transparent)]
    Crisis(#[from] crate::crisis::CrisisError),
    /// An incident error.
    #[error(transparent)]
    Incident(#[from] crate::incident::IncidentError),
    /// A recognition command was refused.
    #[error(transparent)]
    Recognition(#[from] RecognitionError),
    /// A refund or goodwill credit command was refused.
    #[error(transparent)]
    Refund(#[from] RefundError),
    /// Routing failed.
    #[error(transparent)]
    Routing(#[from] RoutingError),
    /// A custom-field definition, form or value was refused.
    #[error(transparent)]
    Field(#[from] crate::field::FieldError),
    /// A calendar or SLA problem.
    #[error(transparent)]
    Sla(#[from] SlaError),
    /// A survey problem.
    #[error(transparent)]
    Survey(#[from] SurveyError),
    /// The store failed or conflicted.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A snapshot was refused.
    #[error(transparent)]
    Snapshot(#[from] crate::desk::SnapshotError),
    /// A delivery failed.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// A view was refused.
    #[error(transparent)]
    View(#[from] ViewError),
    /// A configured duration out of range.
    #[error(transparent)]
    Duration(#[from] DurationOutOfRange),
    /// A text that must say something was blank.
    #[error(transparent)]
    Blank(#[from] BlankText),
    /// A permission missing, or a permission table refused.
    #[error(transparent)]
    Permission(#[from] crate::permission::PermissionError),
    /// A rule set (triggers, automations) with problems.
    #[error(transparent)]
    Rules(#[from] crate::rules::RulesError),
    /// A bad queue or queue query (from the permission-checked queue
    /// reads, [`crate::desk::QueuesView::page_as`]).
    #[error(transparent)]
    Queue(#[from] crate::queue::QueueError),
    /// A template set refused, or a reply that is not in it.
    #[error(transparent)]
    Template(#[from] crate::template::TemplateError),
}

/// An escalation graph that failed validation, as an
/// [`EscalationError::Invalid`], so `builder.build()?` works in a function
/// returning the crate error.
impl From<GraphProblems> for Error {
    fn from(problems: GraphProblems) -> Self {
        Error::Escalation(EscalationError::Invalid(problems))
    }
}

/// An organisation that failed validation, as an [`OrgError::Invalid`].
impl From<OrgProblems> for Error {
    fn from(problems: OrgProblems) -> Self {
        Error::Org(OrgError::Invalid(problems))
    }
}

/// What kind of failure an [`Error`] is: what the caller does about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Bad input or a rule says no (an unknown id, a blank body, a closed
    /// ticket, an invalid configuration): tell whoever asked. Nothing was
    /// decided or written.
    Refused,
    /// The API was used out of order: recorded events applied twice or
    /// out of order, an event that does not belong to its stream, a batch
    /// writing one stream twice. A bug in the calling code (or a store
    /// breaking its contract), not something a user can fix.
    Misuse,
    /// Another writer appended to the stream first: catch up from the
    /// store and decide again.
    Conflict,
    /// The store failed, or holds data this build cannot read (corrupt, or
    /// from a newer schema).
    Store,
    /// A delivery failed or was rejected.
    Transport,
}

impl Error {
    /// What kind of failure this is.
    ///
    /// ```
    /// use fanatical::desk::DeskError;
    /// use fanatical::error::ErrorKind;
    /// use fanatical::event::StreamId;
    /// use fanatical::id::TicketId;
    /// use fanatical::Error;
    ///
    /// let ticket = TicketId::from_uuid(uuid::Uuid::from_u128(1));
    /// let refused = Error::from(DeskError::UnknownTicket(ticket));
    /// assert_eq!(refused.kind(), ErrorKind::Refused);
    /// let misuse = Error::from(DeskError::OutOfOrder { stream: StreamId::Ticket(ticket), expected: 3, got: 2 });
    /// assert_eq!(misuse.kind(), ErrorKind::Misuse);
    /// ```
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Desk(e) => match e {
                DeskError::OutOfOrder { .. }
                | DeskError::EventMismatch { .. }
                | DeskError::ArchiveNeeded { .. } => ErrorKind::Misuse,
                DeskError::UnknownCustomer(_)
                | DeskError::UnknownAgent(_)
                | DeskError::UnknownTeam(_)
                | DeskError::InvalidTrigger { .. }
                | DeskError::InvalidMacro { .. }
                | DeskError::UnknownMacro(_)
                | DeskError::MacroNotOffered { .. }
                | DeskError::UnknownTicket(_)
                | DeskError::UnknownMessage(_)
                | DeskError::InactiveAgent(_)
                | DeskError::AlreadyExists(_)
                | DeskError::AddressInUse { .. }
                | DeskError::ErasedAddress(_)
                | DeskError::UnknownSender(_)
                | DeskError::UnknownTriage(_)
                | DeskError::AddressNotOnChannel { .. }
                | DeskError::ForeignContact { .. }
                | DeskError::ConsentByOtherContact { .. }
                | DeskError::NoEmail(_)
                | DeskError::ReportingCycle { .. }
                | DeskError::Unreachable { .. }
                | DeskError::UnknownContact(_)
                | DeskError::NeedsAgent { .. }
                | DeskError::ActorMismatch { .. }
                | DeskError::IdTaken { .. }
                | DeskError::ReservedId { .. }
                | DeskError::SystemActor
                | DeskError::KeyReused { .. }
                | DeskError::CustomerMerged { .. }
                | DeskError::ContractDiffers { .. }
                | DeskError::MergeHeldByCrisis { .. }
                | DeskError::MergeDuringIncident { .. } => ErrorKind::Refused,
            },
            Error::Store(e) => match e {
                StoreError::Conflict { .. } => ErrorKind::Conflict,
                StoreError::DuplicateStreamInBatch(_) => ErrorKind::Misuse,
                StoreError::Backend { .. }
                | StoreError::Unsupported { .. }
                | StoreError::NewerSchema { .. }
                | StoreError::StaleSnapshot { .. }
                | StoreError::Corrupt { .. } => ErrorKind::Store,
            },
            Error::Snapshot(_) => ErrorKind::Store,
            Error::Transport(_) => ErrorKind::Transport,
            Error::Id(_)
            | Error::Actor(_)
            | Error::Channel(_)
            | Error::Agent(_)
            | Error::Customer(_)
            | Error::Ticket(_)
            | Error::Escalation(_)
            | Error::Crisis(_)
            | Error::Guard(_)
            | Error::Org(_)
            | Error::Incident(_)
            | Error::Recognition(_)
            | Error::Refund(_)
            | Error::Field(_)
            | Error::Routing(_)
            | Error::Sla(_)
            | Error::Survey(_)
            | Error::View(_)
            | Error::Duration(_)
            | Error::Blank(_)
            | Error::Permission(_)
            | Error::Rules(_)
            | Error::Queue(_)
            | Error::Template(_) => ErrorKind::Refused,
        }
    }

    /// Whether this is misuse of the API ([`ErrorKind::Misuse`]) rather
    /// than a refusal or a failure.
    #[must_use]
    pub fn is_misuse(&self) -> bool {
        self.kind() == ErrorKind::Misuse
    }

    /// Whether the command was refused ([`ErrorKind::Refused`]): bad input
    /// or a rule said no.
    #[must_use]
    pub fn is_refusal(&self) -> bool {
        self.kind() == ErrorKind::Refused
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;
    use crate::escalation::{EscalationGraph, GraphProblem};
    use crate::event::StreamId;
    use crate::id::{AgentId, TicketId};
    use crate::org::{OrgProblem, Organisation};
    use crate::transport::TransportError;

    fn graph() -> Result<EscalationGraph, Error> {
        Ok(EscalationGraph::builder().build()?)
    }

    fn org() -> Result<Organisation, Error> {
        let id = |n| AgentId::from_uuid(uuid::Uuid::from_u128(n));
        Ok(Organisation::builder()
            .person(id(1), "A")
            .person(id(2), "B")
            .build()?)
    }

    #[test]
    fn graph_and_org_problems_convert_with_question_mark() {
        let err = graph().unwrap_err();
        let Error::Escalation(EscalationError::Invalid(problems)) = &err else {
            panic!("not an invalid graph: {err:?}");
        };
        assert!(problems.problems().contains(&GraphProblem::Empty));
        assert_eq!(err.kind(), ErrorKind::Refused);

        let err = org().unwrap_err();
        let Error::Org(OrgError::Invalid(problems)) = &err else {
            panic!("not an invalid organisation: {err:?}");
        };
        assert!(matches!(
            problems.problems()[0],
            OrgProblem::MultipleRoots { .. }
        ));
        assert!(err.is_refusal());
    }

    #[test]
    fn misuse_is_apart_from_refusals_and_failures() {
        let ticket = TicketId::from_uuid(uuid::Uuid::from_u128(1));
        let stream = StreamId::Ticket(ticket);
        let cases: Vec<(Error, ErrorKind)> = vec![
            (DeskError::UnknownTicket(ticket).into(), ErrorKind::Refused),
            (TicketError::Closed(ticket).into(), ErrorKind::Refused),
            (
                crate::time::check_configured("survey valid_for", chrono::Duration::MIN)
                    .unwrap_err()
                    .into(),
                ErrorKind::Refused,
            ),
            (
                DeskError::OutOfOrder {
                    stream,
                    expected: 2,
                    got: 1,
                }
                .into(),
                ErrorKind::Misuse,
            ),
            (
                DeskError::EventMismatch { stream, version: 1 }.into(),
                ErrorKind::Misuse,
            ),
            (
                StoreError::DuplicateStreamInBatch(stream).into(),
                ErrorKind::Misuse,
            ),
            (
                StoreError::Conflict {
                    stream,
                    expected: crate::store::ExpectedVersion::Exact(0),
                    actual: 1,
                }
                .into(),
                ErrorKind::Conflict,
            ),
            (
                StoreError::backend_message("disk full").into(),
                ErrorKind::Store,
            ),
            (
                StoreError::Corrupt {
                    position: 1,
                    reason: "bad json".into(),
                }
                .into(),
                ErrorKind::Store,
            ),
            (
                TransportError::Unavailable {
                    id: crate::id::MessageId::from_uuid(uuid::Uuid::from_u128(2)),
                    reason: "smtp down".into(),
                }
                .into(),
                ErrorKind::Transport,
            ),
        ];
        for (err, kind) in cases {
            assert_eq!(err.kind(), kind, "{err}");
            assert_eq!(err.is_misuse(), kind == ErrorKind::Misuse, "{err}");
            assert_eq!(err.is_refusal(), kind == ErrorKind::Refused, "{err}");
        }
    }

    #[test]
    fn a_store_failure_keeps_the_backend_error_as_source() {
        let io = std::io::Error::new(std::io::ErrorKind::StorageFull, "disk full");
        let err = Error::from(StoreError::backend(io));
        assert_eq!(err.to_string(), "store backend failed: disk full");
        let source = err
            .source()
            .and_then(|s| s.downcast_ref::<std::io::Error>());
        assert_eq!(
            source.map(std::io::Error::kind),
            Some(std::io::ErrorKind::StorageFull)
        );
    }
}
