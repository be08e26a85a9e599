//! What happens to an incident: its events, the drafts the deciders
//! return, and what a follow-up became.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Audience, Cadence, ComponentState, Credit, IncidentStatus, Messages};
use crate::id::{AgentId, ComponentId, ContactId, CustomerId, IncidentId, InvitationId, TicketId};

/// Something that happened to an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentEvent {
    /// When.
    pub at: DateTime<Utc>,
    /// What.
    pub kind: IncidentEventKind,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum IncidentEventKind {
    /// Declared, with its first update.
    Declared {
        /// Its id.
        id: IncidentId,
        /// A headline ("DFW1 datacenter power loss").
        title: String,
        /// Who runs it (warned about missed updates).
        commander: AgentId,
        /// Its status.
        status: IncidentStatus,
        /// The components it affects and their states.
        components: BTreeMap<ComponentId, ComponentState>,
        /// The customers running on them.
        affected: BTreeSet<CustomerId>,
        /// The update cadence, if any.
        cadence: Option<Cadence>,
        /// The first update's texts.
        messages: Messages,
        /// Contacts of affected customers no message could reach.
        unreachable: Vec<(CustomerId, ContactId)>,
        /// Call-out tasks opened for unreachable contacts a person can
        /// phone.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        call_outs: Vec<CallOut>,
    },
    /// A status update.
    Updated {
        /// Who wrote it.
        by: AgentId,
        /// The status after it.
        status: IncidentStatus,
        /// Components whose state changed.
        components: BTreeMap<ComponentId, ComponentState>,
        /// Its texts.
        messages: Messages,
        /// Contacts no message could reach.
        unreachable: Vec<(CustomerId, ContactId)>,
        /// Call-out tasks opened for unreachable contacts a person can
        /// phone.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        call_outs: Vec<CallOut>,
        /// Whose voice it is, when one is named.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        spokesperson: Option<AgentId>,
        /// On resolution: when the follow-ups fall due.
        follow_up_at: Option<DateTime<Utc>>,
        /// Linked tickets the final message could not solve (their
        /// customer could not be reached, or the ticket refused), left open
        /// for a person.
        #[serde(default)]
        left_open: Vec<(TicketId, String)>,
    },
    /// A customer joined the incident while it ran: an update put a
    /// component they run on into it, or they started running on an
    /// affected component. From then on they get the updates, their
    /// downtime counts toward credits and they are followed up.
    CustomerJoined {
        /// The customer.
        customer: CustomerId,
        /// The component they run on that the incident covers.
        component: ComponentId,
        /// How they came in.
        cause: JoinCause,
        /// Their contacts the catch-up message (the latest update, sent
        /// to a customer who started running on an affected component)
        /// could not reach.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        unreachable: Vec<ContactId>,
        /// Call-out tasks opened for those a person can phone.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        call_outs: Vec<CallOut>,
    },
    /// The post-incident write-up was published to every affected
    /// customer's contacts and the press list.
    ReviewPublished {
        /// Who published it.
        by: AgentId,
        /// Whose voice it is, when one is named.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        spokesperson: Option<AgentId>,
        /// What happened.
        what_happened: String,
        /// What is being done so it does not happen again.
        prevention: String,
        /// Contacts it could not reach.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        unreachable: Vec<(CustomerId, ContactId)>,
    },
    /// A ticket was linked to the incident (Zendesk's incident of a
    /// problem).
    TicketLinked {
        /// The ticket.
        ticket: TicketId,
        /// Its customer.
        customer: CustomerId,
    },
    /// An update falls due soon.
    UpdateDueSoon {
        /// When it is due.
        due: DateTime<Utc>,
    },
    /// An update was not posted in time.
    UpdateOverdue {
        /// When it was due.
        due: DateTime<Utc>,
    },
    /// A credit was issued.
    CreditIssued {
        /// The credit.
        credit: Credit,
    },
    /// A customer was followed up.
    FollowedUp {
        /// The customer.
        customer: CustomerId,
        /// How.
        outcome: FollowUpOutcome,
    },
}

impl IncidentEventKind {
    /// One line a person reads, for the timeline. Amounts are left out.
    #[must_use]
    pub fn summary(&self) -> String {
        let states = |c: &BTreeMap<ComponentId, ComponentState>| {
            c.iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let text = |m: &Messages| {
            [
                Audience::Public,
                Audience::Business,
                Audience::Technical,
                Audience::Press,
            ]
            .iter()
            .find_map(|a| m.get(a))
            .cloned()
            .unwrap_or_default()
        };
        match self {
            IncidentEventKind::Declared {
                title,
                status,
                components,
                affected,
                messages,
                ..
            } => format!(
                "declared ({status}): {title}; {}; {} customers affected. {}",
                states(components),
                affected.len(),
                text(messages)
            ),
            IncidentEventKind::Updated {
                status,
                components,
                messages,
                left_open,
                ..
            } => {
                let mut line = if components.is_empty() {
                    format!("{status}: {}", text(messages))
                } else {
                    format!("{status} ({}): {}", states(components), text(messages))
                };
                if !left_open.is_empty() {
                    line.push_str(&format!(
                        " ({} linked tickets left open for a person)",
                        left_open.len()
                    ));
                }
                line
            }
            IncidentEventKind::CustomerJoined {
                customer,
                component,
                cause,
                ..
            } => match cause {
                JoinCause::Spread => {
                    format!("{customer} joined: the incident spread to {component}")
                }
                JoinCause::RanOn => {
                    format!("{customer} joined: started running on {component}")
                }
            },
            IncidentEventKind::ReviewPublished { what_happened, .. } => {
                format!("post-incident review published: {what_happened}")
            }
            IncidentEventKind::TicketLinked { ticket, .. } => format!("ticket {ticket} linked"),
            IncidentEventKind::UpdateDueSoon { due } => format!("update due at {due}"),
            IncidentEventKind::UpdateOverdue { due } => format!("update missed (due {due})"),
            IncidentEventKind::CreditIssued { credit } => format!(
                "credit issued to {} ({}) for {} min down",
                credit.customer,
                credit.reason,
                credit.downtime.total().num_minutes()
            ),
            IncidentEventKind::FollowedUp { customer, outcome } => match outcome {
                FollowUpOutcome::Survey { .. } => format!("follow-up survey sent to {customer}"),
                FollowUpOutcome::Task { reason, .. } => {
                    format!("follow-up task for {customer}: {reason}")
                }
            },
        }
    }
}

/// How a customer came into a running incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinCause {
    /// An update added (or took down) a component they run on.
    Spread,
    /// They started running on a component the incident has down.
    RanOn,
}

/// A task for a named person to phone a contact that no written message
/// could reach: a task ticket on the contact's customer, assigned to its
/// owner, whose note names the contact and the number to call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallOut {
    /// The contact's customer.
    pub customer: CustomerId,
    /// Who to call.
    pub contact: ContactId,
    /// The task ticket.
    pub ticket: TicketId,
    /// Who calls.
    pub owner: AgentId,
}

/// A decided incident event, for the desk to complete and store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentDraft {
    /// When.
    pub at: DateTime<Utc>,
    /// What.
    pub kind: IncidentEventKind,
}

/// What a follow-up became.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FollowUpOutcome {
    /// A follow-up survey went to the customer's survey contact.
    Survey {
        /// The invitation.
        invitation: InvitationId,
        /// Who was asked.
        contact: ContactId,
    },
    /// A task for a person to call the customer (no survey could go: the
    /// contact was in their quiet period, or none is configured).
    Task {
        /// Who should follow up, if anyone is known.
        owner: Option<AgentId>,
        /// Why it is a task and not a survey.
        reason: String,
    },
}
