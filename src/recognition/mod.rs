//! Recognition: praise traced to the agent who earned it, kudos up the
//! whole management chain, the CEO's acknowledgement, certificates, peer
//! recognition, and smiles counted.
//!
//! The record is a stream of [`RecognitionEvent`]s. [`Recognition`] decides
//! them ([`Recognition::handle`] for a [`RecognitionAction`]; and
//! [`Recognition::reminders_due`], which reminds the CEO on a timer until
//! the acknowledgement is given) from its own state and what the desk found
//! in the other areas ([`RecognitionContext`]: the acting agent, the
//! tickets praise may be about, who worked them and their management
//! chain). The desk pages the people told.

mod erasure;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use erasure::PraiseAuthor;

use crate::channel::SocialNetwork;
use crate::id::{AgentId, CustomerId, InvitationId, PraiseId, TicketId};

configured_seconds!(
    window_seconds: "recognition window" from 0,
    remind_seconds: "recognition remind_every" from 60,
);

/// How recognition runs. Both durations are bounded (the window 0 to 100
/// years, reminders at least a minute apart): out-of-range values are
/// refused when read, and by [`RecognitionConfig::new`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RecognitionConfig {
    /// How far back a customer's tickets are searched to attribute praise
    /// that names no ticket (default 14 days).
    #[serde(with = "window_seconds")]
    pub window: chrono::Duration,
    /// How often the CEO is reminded of a pending acknowledgement (default
    /// 1 day).
    #[serde(with = "remind_seconds")]
    pub remind_every: chrono::Duration,
}

impl Default for RecognitionConfig {
    fn default() -> Self {
        RecognitionConfig {
            window: chrono::Duration::days(14),
            remind_every: chrono::Duration::days(1),
        }
    }
}

impl RecognitionConfig {
    /// A configuration.
    ///
    /// # Errors
    /// [`crate::time::DurationOutOfRange`] naming the setting out of range.
    pub fn new(
        window: chrono::Duration,
        remind_every: chrono::Duration,
    ) -> Result<Self, crate::time::DurationOutOfRange> {
        let c = RecognitionConfig {
            window,
            remind_every,
        };
        c.validate()?;
        Ok(c)
    }

    /// Checks both durations are in range (for a configuration whose public
    /// fields were set directly).
    ///
    /// # Errors
    /// [`crate::time::DurationOutOfRange`] naming the setting out of range.
    pub fn validate(&self) -> Result<(), crate::time::DurationOutOfRange> {
        crate::time::check_configured("recognition window", self.window)?;
        crate::time::check(
            "recognition remind_every",
            self.remind_every,
            chrono::Duration::minutes(1),
            crate::time::MAX_CONFIGURED,
        )?;
        Ok(())
    }
}

/// Why a recognition command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RecognitionError {
    /// Praise with no words.
    #[error("praise must say something")]
    EmptyPraise,
    /// Peer recognition that does not say what for.
    #[error("a peer recognition must say what it is for")]
    EmptyNote,
    /// No such praise.
    #[error("unknown praise {0}")]
    UnknownPraise(crate::id::PraiseId),
    /// The praise was already recorded under this id.
    #[error("praise {0} already exists")]
    DuplicatePraise(crate::id::PraiseId),
    /// Only the person at the top of the agent's chain acknowledges.
    #[error("praise {praise} is acknowledged by {expected}, not {by}")]
    NotTheAcknowledger {
        /// Which praise.
        praise: crate::id::PraiseId,
        /// Who must acknowledge it.
        expected: AgentId,
        /// Who tried.
        by: AgentId,
    },
    /// The praise matched nobody, so nobody acknowledges it.
    #[error("praise {0} is unattributed: there is nothing to acknowledge")]
    Unattributed(crate::id::PraiseId),
    /// A certificate for someone nobody has praised.
    #[error("agent {0} has no kudos yet: a certificate needs at least one")]
    NoKudos(AgentId),
    /// Only committee members issue certificates, once a committee is named.
    #[error("agent {0} is not on the recognition committee")]
    NotOnCommittee(AgentId),
    /// Recognising oneself.
    #[error("agent {0} cannot recognise themselves")]
    SelfRecognition(AgentId),
    /// Praise naming a ticket there is no record of.
    #[error("unknown ticket {0}")]
    UnknownTicket(TicketId),
    /// Praise from a customer there is no record of.
    #[error("unknown customer {0}")]
    UnknownCustomer(CustomerId),
    /// Acknowledging, recognising a peer and issuing a certificate are an
    /// agent's to do, and no agent is acting.
    #[error("only an agent can do this")]
    NeedsAgent,
}

/// Where praise came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PraiseSource {
    /// A social mention.
    Social {
        /// The network.
        network: SocialNetwork,
        /// Who posted it.
        handle: String,
    },
    /// A survey comment.
    Survey {
        /// The invitation answered.
        invitation: InvitationId,
    },
    /// A reply on a ticket.
    TicketReply,
    /// A note taken on a phone call.
    PhoneNote,
}

/// How praise was matched to an agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Attribution {
    /// It named a ticket; the agent who worked it.
    Ticket {
        /// The ticket.
        ticket: TicketId,
    },
    /// From the customer's most recently worked ticket in the window.
    RecentTicket {
        /// The ticket.
        ticket: TicketId,
    },
    /// Nobody could be matched; kept, not dropped.
    Unattributed,
}

/// Praise as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Praise {
    /// Its id.
    pub id: crate::id::PraiseId,
    /// When it was received.
    pub at: DateTime<Utc>,
    /// Where from.
    pub source: PraiseSource,
    /// The words.
    pub text: String,
    /// The customer, if known.
    pub customer: Option<CustomerId>,
    /// The agent who earned it.
    pub agent: Option<AgentId>,
    /// How it was matched.
    pub attribution: Attribution,
    /// The agent's managers, nearest first, ending at the top (the CEO):
    /// each receives the kudos once.
    pub chain: Vec<AgentId>,
}

/// Something that happened in recognition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecognitionEvent {
    /// When.
    pub at: DateTime<Utc>,
    /// What.
    pub kind: RecognitionEventKind,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum RecognitionEventKind {
    /// Praise arrived (and kudos went up the chain).
    PraiseRecorded {
        /// The praise.
        praise: Praise,
    },
    /// The top of the chain acknowledged it personally.
    Acknowledged {
        /// Which praise.
        praise: crate::id::PraiseId,
        /// Who.
        by: AgentId,
    },
    /// The acknowledgement is still pending: a reminder went out.
    Reminded {
        /// Which praise.
        praise: crate::id::PraiseId,
        /// The next reminder, if still pending then.
        next: DateTime<Utc>,
    },
    /// One agent recognised another.
    PeerRecognised {
        /// From.
        from: AgentId,
        /// To.
        to: AgentId,
        /// Why.
        note: String,
    },
    /// The recognition committee was named.
    CommitteeNamed {
        /// Its members.
        members: Vec<AgentId>,
    },
    /// A certificate was issued.
    CertificateIssued {
        /// Its serial number, e.g. `COA-000001`.
        serial: String,
        /// To whom.
        agent: AgentId,
        /// By whom.
        by: AgentId,
        /// Its title.
        title: String,
    },
}

/// A praise's acknowledgement state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Acknowledgement {
    /// Waiting; reminded at `next_reminder`.
    Pending {
        /// Who must acknowledge.
        by: AgentId,
        /// When the next reminder goes.
        next_reminder: DateTime<Utc>,
    },
    /// Given.
    Acknowledged {
        /// By whom.
        by: AgentId,
        /// When.
        at: DateTime<Utc>,
    },
    /// Nothing to acknowledge (unattributed praise).
    NotNeeded,
}

/// A certificate ("Certificate of Awesomeness").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    /// Serial number.
    pub serial: String,
    /// To whom.
    pub agent: AgentId,
    /// By whom.
    pub by: AgentId,
    /// Title.
    pub title: String,
    /// When.
    pub at: DateTime<Utc>,
}

impl RecognitionEventKind {
    /// The praise the event is about, if it is about one.
    #[must_use]
    pub fn praise(&self) -> Option<PraiseId> {
        match self {
            RecognitionEventKind::PraiseRecorded { praise } => Some(praise.id),
            RecognitionEventKind::Acknowledged { praise, .. }
            | RecognitionEventKind::Reminded { praise, .. } => Some(*praise),
            RecognitionEventKind::PeerRecognised { .. }
            | RecognitionEventKind::CommitteeNamed { .. }
            | RecognitionEventKind::CertificateIssued { .. } => None,
        }
    }
}

/// A praise and where its acknowledgement is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct PraiseRecord {
    /// The praise.
    pub praise: Praise,
    /// Its acknowledgement by the top of the chain.
    pub ack: Acknowledgement,
}

/// What the recognition area can be asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
#[non_exhaustive]
pub enum RecognitionAction {
    /// Praise arrived (a social mention, a survey comment, a ticket reply,
    /// a phone note): attribute it and send kudos up the chain.
    RecordPraise {
        /// The caller-chosen id.
        praise: PraiseId,
        /// Where from.
        source: PraiseSource,
        /// The words.
        text: String,
        /// The customer, if known.
        customer: Option<CustomerId>,
        /// The ticket it names, if any.
        ticket: Option<TicketId>,
    },
    /// The top of the chain (the acting agent) acknowledges praise
    /// personally.
    Acknowledge {
        /// Which.
        praise: PraiseId,
    },
    /// The acting agent recognises a colleague.
    RecognisePeer {
        /// To.
        to: AgentId,
        /// Why.
        note: String,
    },
    /// Name the recognition committee (who may issue certificates).
    NameCommittee {
        /// Its members.
        members: Vec<AgentId>,
    },
    /// The acting agent issues a certificate ("Certificate of Awesomeness"
    /// by default).
    IssueCertificate {
        /// To whom.
        agent: AgentId,
        /// Title (blank for the default).
        title: String,
    },
}

/// A worked ticket praise may be about, as the desk found it: the ticket,
/// the agent who worked it and that agent's management chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lead {
    /// The ticket.
    pub ticket: TicketId,
    /// The agent who worked it (its assignee, else the last agent who
    /// replied publicly).
    pub agent: AgentId,
    /// The agent's managers, nearest first, ending at the top (the CEO).
    pub chain: Vec<AgentId>,
}

/// What the desk found for the ticket or the customer praise names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Found {
    /// The praise names none (or nobody looked): no lead.
    #[default]
    NotNamed,
    /// There is no record of it: the praise is refused, when it comes to
    /// that (see [`Recognition::handle`]).
    Unknown,
    /// It exists, and leads to a worked ticket or not.
    Known(Option<Lead>),
}

/// Where praise may be attributed, as the desk found it in the other
/// areas. [`Recognition::handle`] takes the first that leads to an agent,
/// in this order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PraiseLeads {
    /// Praise from a survey comment: the ticket and agent the survey was
    /// about, when its invitation names both.
    pub survey: Option<Lead>,
    /// The ticket the praise names, and who worked it.
    pub ticket: Found,
    /// The customer, and their most recently updated ticket within the
    /// recognition window that an agent worked.
    pub customer: Found,
}

/// What the desk supplies for recognition to decide: what the other areas
/// know. The desk checks that the agents named are active before asking.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecognitionContext {
    /// The acting agent, if an agent acts (acknowledging, recognising a
    /// peer and issuing a certificate need one).
    pub by: Option<AgentId>,
    /// For [`RecognitionAction::RecordPraise`]: where the praise may be
    /// attributed.
    pub leads: PraiseLeads,
}

impl RecognitionContext {
    /// The context of an action by `agent`.
    #[must_use]
    pub fn by(agent: AgentId) -> Self {
        RecognitionContext {
            by: Some(agent),
            leads: PraiseLeads::default(),
        }
    }

    /// The context of praise with its leads.
    #[must_use]
    pub fn praise(leads: PraiseLeads) -> Self {
        RecognitionContext { by: None, leads }
    }
}

/// Who earned praise: the survey's agent for a survey comment; else the
/// agent of the ticket it names; else the agent of the customer's most
/// recently worked ticket; else nobody (kept as unattributed).
fn attribute(
    source: &PraiseSource,
    customer: Option<CustomerId>,
    ticket: Option<TicketId>,
    leads: PraiseLeads,
) -> Result<Option<(Lead, Attribution)>, RecognitionError> {
    if let PraiseSource::Survey { .. } = source
        && let Some(lead) = leads.survey
    {
        let by = Attribution::Ticket {
            ticket: lead.ticket,
        };
        return Ok(Some((lead, by)));
    }
    if let Some(t) = ticket {
        match leads.ticket {
            Found::Unknown => return Err(RecognitionError::UnknownTicket(t)),
            Found::Known(Some(lead)) => {
                let by = Attribution::Ticket {
                    ticket: lead.ticket,
                };
                return Ok(Some((lead, by)));
            }
            Found::Known(None) | Found::NotNamed => {}
        }
    }
    if let Some(c) = customer {
        match leads.customer {
            Found::Unknown => return Err(RecognitionError::UnknownCustomer(c)),
            Found::Known(Some(lead)) => {
                let by = Attribution::RecentTicket {
                    ticket: lead.ticket,
                };
                return Ok(Some((lead, by)));
            }
            Found::Known(None) | Found::NotNamed => {}
        }
    }
    Ok(None)
}

/// A peer's recognition of a colleague.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PeerRecognition {
    /// When.
    pub at: DateTime<Utc>,
    /// Who recognised.
    pub from: AgentId,
    /// Who was recognised.
    pub to: AgentId,
    /// What for.
    pub note: String,
}

/// The recognition aggregate: praise with its acknowledgement, reminders
/// to acknowledge, peer recognition, the committee and certificates. A
/// pure fold of [`RecognitionEvent`]s.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Recognition {
    praises: std::collections::BTreeMap<PraiseId, PraiseRecord>,
    peers: Vec<PeerRecognition>,
    committee: Vec<AgentId>,
    certificates: Vec<Certificate>,
}

impl Recognition {
    /// One praise and its acknowledgement state.
    #[must_use]
    pub fn praise(&self, id: PraiseId) -> Option<&PraiseRecord> {
        self.praises.get(&id)
    }

    /// Every praise, by id.
    pub fn praises(&self) -> impl Iterator<Item = &PraiseRecord> {
        self.praises.values()
    }

    /// Peer recognition, oldest first.
    #[must_use]
    pub fn peers(&self) -> &[PeerRecognition] {
        &self.peers
    }

    /// The recognition committee.
    #[must_use]
    pub fn committee(&self) -> &[AgentId] {
        &self.committee
    }

    /// Issued certificates, in order.
    #[must_use]
    pub fn certificates(&self) -> &[Certificate] {
        &self.certificates
    }

    /// How many kudos an agent has: customer praise attributed to them and
    /// peer recognition.
    #[must_use]
    pub fn kudos(&self, agent: AgentId) -> usize {
        self.praises
            .values()
            .filter(|r| r.praise.agent == Some(agent))
            .count()
            + self.peers.iter().filter(|p| p.to == agent).count()
    }

    /// When a praise's acknowledgement is next reminded, while it is
    /// pending.
    #[must_use]
    pub fn next_reminder(&self, praise: PraiseId) -> Option<DateTime<Utc>> {
        match self.praises.get(&praise) {
            Some(PraiseRecord {
                ack: Acknowledgement::Pending { next_reminder, .. },
                ..
            }) => Some(*next_reminder),
            _ => None,
        }
    }

    /// Decides a recognition action from this state and what the desk
    /// found (`ctx`):
    ///
    /// - praise is attributed from its leads (see [`PraiseLeads`]) and
    ///   carries its agent's chain, whose top must acknowledge it;
    /// - an acknowledgement by the top of the chain (again: nothing);
    /// - peer recognition, its note trimmed;
    /// - the committee, sorted, each member once;
    /// - a certificate with the next serial (`COA-000001`, ...) and the
    ///   default title when blank.
    ///
    /// Whether the agents named are active is the caller's to check.
    ///
    /// # Errors
    /// [`RecognitionError::EmptyPraise`], [`RecognitionError::DuplicatePraise`],
    /// [`RecognitionError::UnknownTicket`] and
    /// [`RecognitionError::UnknownCustomer`] (when attribution comes to
    /// them) for praise; [`RecognitionError::NeedsAgent`] without
    /// `ctx.by` for what an agent does;
    /// [`RecognitionError::UnknownPraise`], [`RecognitionError::Unattributed`],
    /// [`RecognitionError::NotTheAcknowledger`] for an acknowledgement;
    /// [`RecognitionError::SelfRecognition`]; [`RecognitionError::NoKudos`]
    /// and [`RecognitionError::NotOnCommittee`] for a certificate.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use fanatical::id::IdGenerator;
    /// use fanatical::recognition::{
    ///     Lead, PraiseLeads, PraiseSource, Recognition, RecognitionAction, RecognitionContext,
    ///     RecognitionError,
    /// };
    /// let now = Utc.with_ymd_and_hms(2026, 5, 8, 12, 0, 0).unwrap();
    /// let mut ids = IdGenerator::from_seed(1);
    /// let (ana, ceo, ticket, praise) = (ids.next_id(), ids.next_id(), ids.next_id(), ids.next_id());
    /// let mut r = Recognition::default();
    /// let lead = Lead { ticket, agent: ana, chain: vec![ceo] };
    /// let leads = PraiseLeads { survey: Some(lead), ..PraiseLeads::default() };
    /// let invitation = ids.next_id();
    /// let action = RecognitionAction::RecordPraise {
    ///     praise,
    ///     source: PraiseSource::Survey { invitation },
    ///     text: " Ana was great ".into(),
    ///     customer: None,
    ///     ticket: None,
    /// };
    /// for e in r.handle(action, RecognitionContext::praise(leads), now)? {
    ///     r.apply(&e, chrono::Duration::days(1));
    /// }
    /// assert_eq!(r.kudos(ana), 1);
    /// // Only the top of the chain acknowledges it.
    /// let ack = RecognitionAction::Acknowledge { praise };
    /// assert!(matches!(
    ///     r.handle(ack.clone(), RecognitionContext::by(ana), now),
    ///     Err(RecognitionError::NotTheAcknowledger { .. })
    /// ));
    /// assert_eq!(r.handle(ack, RecognitionContext::by(ceo), now)?.len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn handle(
        &self,
        action: RecognitionAction,
        ctx: RecognitionContext,
        now: DateTime<Utc>,
    ) -> Result<Vec<RecognitionEvent>, RecognitionError> {
        let by = ctx.by.ok_or(RecognitionError::NeedsAgent);
        let kind = match action {
            RecognitionAction::RecordPraise {
                praise,
                source,
                text,
                customer,
                ticket,
            } => {
                let text = text.trim().to_owned();
                if text.is_empty() {
                    return Err(RecognitionError::EmptyPraise);
                }
                if self.praise(praise).is_some() {
                    return Err(RecognitionError::DuplicatePraise(praise));
                }
                let (agent, attribution, chain) =
                    match attribute(&source, customer, ticket, ctx.leads)? {
                        Some((lead, attribution)) => (Some(lead.agent), attribution, lead.chain),
                        None => (None, Attribution::Unattributed, Vec::new()),
                    };
                RecognitionEventKind::PraiseRecorded {
                    praise: Praise {
                        id: praise,
                        at: now,
                        source,
                        text,
                        customer,
                        agent,
                        attribution,
                        chain,
                    },
                }
            }
            RecognitionAction::Acknowledge { praise } => {
                let by = by?;
                let PraiseRecord { ack, .. } = self
                    .praise(praise)
                    .ok_or(RecognitionError::UnknownPraise(praise))?;
                match ack {
                    Acknowledgement::NotNeeded => {
                        return Err(RecognitionError::Unattributed(praise));
                    }
                    Acknowledgement::Acknowledged { .. } => return Ok(Vec::new()),
                    Acknowledgement::Pending { by: expected, .. } => {
                        if *expected != by {
                            return Err(RecognitionError::NotTheAcknowledger {
                                praise,
                                expected: *expected,
                                by,
                            });
                        }
                        RecognitionEventKind::Acknowledged { praise, by }
                    }
                }
            }
            RecognitionAction::RecognisePeer { to, note } => {
                let from = by?;
                if from == to {
                    return Err(RecognitionError::SelfRecognition(from));
                }
                if note.trim().is_empty() {
                    return Err(RecognitionError::EmptyNote);
                }
                RecognitionEventKind::PeerRecognised {
                    from,
                    to,
                    note: note.trim().to_owned(),
                }
            }
            RecognitionAction::NameCommittee { mut members } => {
                members.sort();
                members.dedup();
                RecognitionEventKind::CommitteeNamed { members }
            }
            RecognitionAction::IssueCertificate { agent, title } => {
                let by = by?;
                if self.kudos(agent) == 0 {
                    return Err(RecognitionError::NoKudos(agent));
                }
                if !self.committee.is_empty() && !self.committee.contains(&by) {
                    return Err(RecognitionError::NotOnCommittee(by));
                }
                let serial = format!("COA-{:06}", self.certificates.len().saturating_add(1));
                let title = match title.trim() {
                    "" => "Certificate of Awesomeness".to_owned(),
                    t => t.to_owned(),
                };
                RecognitionEventKind::CertificateIssued {
                    serial,
                    agent,
                    by,
                    title,
                }
            }
        };
        Ok(vec![RecognitionEvent { at: now, kind }])
    }

    /// Decides the reminders among `due` (the praise whose reminder timer
    /// fired): one for each praise still waiting for its acknowledgement,
    /// the next `remind_every` later. Praise acknowledged since, or
    /// unknown, is not reminded.
    #[must_use]
    pub fn reminders_due(
        &self,
        due: &[PraiseId],
        remind_every: chrono::Duration,
        now: DateTime<Utc>,
    ) -> Vec<RecognitionEvent> {
        due.iter()
            .filter(|id| self.next_reminder(**id).is_some())
            .map(|&praise| RecognitionEvent {
                at: now,
                kind: RecognitionEventKind::Reminded {
                    praise,
                    next: crate::time::plus(now, remind_every),
                },
            })
            .collect()
    }

    /// Folds one recognition event; `remind_every` is how often a pending
    /// acknowledgement is reminded.
    pub fn apply(&mut self, e: &RecognitionEvent, remind_every: chrono::Duration) {
        match &e.kind {
            RecognitionEventKind::PraiseRecorded { praise } => {
                let ack = match praise.chain.last() {
                    Some(top) => {
                        let next = crate::time::plus(e.at, remind_every);
                        Acknowledgement::Pending {
                            by: *top,
                            next_reminder: next,
                        }
                    }
                    None => Acknowledgement::NotNeeded,
                };
                self.praises.insert(
                    praise.id,
                    PraiseRecord {
                        praise: praise.clone(),
                        ack,
                    },
                );
            }
            RecognitionEventKind::Acknowledged { praise, by } => {
                if let Some(PraiseRecord { ack, .. }) = self.praises.get_mut(praise) {
                    *ack = Acknowledgement::Acknowledged { by: *by, at: e.at };
                }
            }
            RecognitionEventKind::Reminded { praise, next } => {
                if let Some(PraiseRecord {
                    ack: Acknowledgement::Pending { next_reminder, .. },
                    ..
                }) = self.praises.get_mut(praise)
                {
                    *next_reminder = *next;
                }
            }
            RecognitionEventKind::PeerRecognised { from, to, note } => {
                self.peers.push(PeerRecognition {
                    at: e.at,
                    from: *from,
                    to: *to,
                    note: note.clone(),
                });
            }
            RecognitionEventKind::CommitteeNamed { members } => self.committee.clone_from(members),
            RecognitionEventKind::CertificateIssued {
                serial,
                agent,
                by,
                title,
            } => self.certificates.push(Certificate {
                serial: serial.clone(),
                agent: *agent,
                by: *by,
                title: title.clone(),
                at: e.at,
            }),
        }
    }
}

#[cfg(test)]
mod tests;
