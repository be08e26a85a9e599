//! The crate's error type: every module's error, gathered.
//!
//! Each module has its own error enum (matching on it tells exactly what
//! was wrong); [`Error`] wraps them all so `?` works across modules.
//! Messages are lowercase, have no final period, and name the ids and
//! values involved.

use crate::agent::AgentError;
use crate::channel::ChannelError;
use crate::customer::CustomerError;
use crate::desk::DeskError;
use crate::escalation::EscalationError;
use crate::guard::GuardError;
use crate::id::IdError;
use crate::org::OrgError;
use crate::recognition::RecognitionError;
use crate::routing::RoutingError;
use crate::sla::SlaError;
use crate::store::StoreError;
use crate::survey::SurveyError;
use crate::ticket::TicketError;
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
    /// An incident error.
    #[error(transparent)]
    Incident(#[from] crate::incident::IncidentError),
    /// A recognition command was refused.
    #[error(transparent)]
    Recognition(#[from] RecognitionError),
    /// Routing failed.
    #[error(transparent)]
    Routing(#[from] RoutingError),
    /// A calendar or SLA problem.
    #[error(transparent)]
    Sla(#[from] SlaError),
    /// A survey problem.
    #[error(transparent)]
    Survey(#[from] SurveyError),
    /// The store failed or conflicted.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A delivery failed.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// A view was refused.
    #[error(transparent)]
    View(#[from] ViewError),
}
