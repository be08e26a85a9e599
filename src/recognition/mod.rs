//! Recognition: praise traced to the agent who earned it, kudos up the
//! whole management chain, the CEO's acknowledgement, certificates, peer
//! recognition, and smiles counted.
//!
//! The record is a stream of [`RecognitionEvent`]s; the desk decides them
//! (`RecognitionAction::RecordPraise`, `Acknowledge`, `RecognisePeer`,
//! `NameCommittee`, `IssueCertificate`) and reminds the CEO on a timer
//! until the acknowledgement is given.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PraiseRecord {
    /// The praise.
    pub praise: Praise,
    /// Its acknowledgement by the top of the chain.
    pub ack: Acknowledgement,
}

/// A peer's recognition of a colleague.
#[derive(Debug, Clone, PartialEq, Eq)]
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
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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
