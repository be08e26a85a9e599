//! The desk and recognition: attribution, kudos up the chain, the CEO's
//! acknowledgement with reminders, peers, the committee, certificates, and
//! smiles counted.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::decision::message_of;
use super::{Desk, Drafts, RecognitionAction, outbox};
use crate::channel::Channel;
use crate::error::Error;
use crate::event::{Event, StreamId};
use crate::id::{AgentId, CustomerId, PraiseId, TeamId, TicketId};
use crate::outbox::{OutboundMessage, OutboxEventKind, Recipient};
use crate::recognition::{
    Acknowledgement, Attribution, Certificate, Praise, RecognitionError, RecognitionEvent,
    RecognitionEventKind,
};
use crate::ticket::{Author, EntryVisibility, Ticket};

/// The agent who earned praise on a ticket: its assignee, else the last
/// agent who replied publicly.
fn agent_of(t: &Ticket) -> Option<AgentId> {
    t.assignee().or_else(|| {
        t.conversation()
            .iter()
            .rev()
            .find_map(|e| match (e.author, e.visibility) {
                (Author::Agent(a), EntryVisibility::Public) => Some(a),
                _ => None,
            })
    })
}

impl Desk {
    /// See [`PeopleView::praises`].
    pub(crate) fn praises(&self) -> impl Iterator<Item = &crate::recognition::PraiseRecord> {
        self.state.recognition.praises()
    }
    /// See [`PeopleView::praise`].
    pub(crate) fn praise(&self, id: PraiseId) -> Option<&crate::recognition::PraiseRecord> {
        self.state.recognition.praise(id)
    }
    /// See [`PeopleView::certificates`].
    pub(crate) fn certificates(&self) -> &[Certificate] {
        self.state.recognition.certificates()
    }
    /// See [`PeopleView::committee`].
    pub(crate) fn committee(&self) -> &[AgentId] {
        self.state.recognition.committee()
    }
    /// See [`PeopleView::kudos`].
    pub(crate) fn kudos(&self, agent: AgentId) -> usize {
        self.state.recognition.kudos(agent)
    }
    /// See [`PeopleView::smiles`].
    pub(crate) fn smiles(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> BTreeMap<AgentId, u32> {
        let mut out = BTreeMap::new();
        for crate::recognition::PraiseRecord { praise: p, .. } in self.state.recognition.praises() {
            if let (Some(a), true) = (p.agent, from <= p.at && p.at < to) {
                *out.entry(a).or_default() += 1;
            }
        }
        out
    }
    /// See [`PeopleView::smiles_by_team`].
    pub(crate) fn smiles_by_team(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> BTreeMap<TeamId, u32> {
        let by_agent = self.smiles(from, to);
        self.state
            .people
            .teams()
            .map(|t| {
                (
                    t.id(),
                    t.members().iter().filter_map(|m| by_agent.get(m)).sum(),
                )
            })
            .collect()
    }

    /// The managers above an agent, nearest first, each once.
    fn chain_of(&self, agent: AgentId) -> Vec<AgentId> {
        self.state.people.chain_of(agent)
    }

    fn name_of(&self, agent: AgentId) -> String {
        self.state.people.name_of(agent)
    }

    /// The next event id of the recognition stream in this decision.
    fn next_recognition_event(&self, d: &Drafts) -> crate::id::EventId {
        d.event_id(self, &StreamId::Recognition, 1)
    }

    pub(super) fn page(
        &self,
        d: &mut Drafts,
        event: crate::id::EventId,
        index: u64,
        agent: AgentId,
        body: String,
        now: DateTime<Utc>,
    ) {
        let message = OutboundMessage {
            id: message_of(event, index),
            channel: Channel::Chat,
            recipient: Recipient::Agent { agent },
            body,
            ticket: None,
            queued_at: now,
        };
        d.push(
            StreamId::Outbox,
            [outbox(now, OutboxEventKind::Queued { message })],
        );
    }

    pub(super) fn decide_recognition(
        &self,
        d: &mut Drafts,
        action: RecognitionAction,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let r = &self.state.recognition;
        let push = |d: &mut Drafts, kind| {
            d.push(
                StreamId::Recognition,
                [Event::Recognition(RecognitionEvent { at: now, kind })],
            );
        };
        match action {
            RecognitionAction::RecordPraise {
                praise,
                source,
                text,
                customer,
                ticket,
            } => {
                let text = text.trim().to_owned();
                if text.is_empty() {
                    return Err(RecognitionError::EmptyPraise.into());
                }
                if r.praise(praise).is_some() {
                    return Err(RecognitionError::DuplicatePraise(praise).into());
                }
                let (agent, attribution) = self.attribute(&source, customer, ticket, now)?;
                let chain = agent.map(|a| self.chain_of(a)).unwrap_or_default();
                let event = self.next_recognition_event(d);
                let p = Praise {
                    id: praise,
                    at: now,
                    source,
                    text: text.clone(),
                    customer,
                    agent,
                    attribution,
                    chain: chain.clone(),
                };
                push(d, RecognitionEventKind::PraiseRecorded { praise: p });
                if let Some(a) = agent {
                    let name = self.name_of(a);
                    self.page(
                        d,
                        event,
                        0,
                        a,
                        format!("A customer praised you: \"{text}\""),
                        now,
                    );
                    for (m, i) in chain.iter().zip(1u64..) {
                        self.page(
                            d,
                            event,
                            i,
                            *m,
                            format!("Kudos for {name}: \"{text}\""),
                            now,
                        );
                    }
                }
            }
            RecognitionAction::Acknowledge { praise } => {
                let by = Self::acting_agent(d)?;
                let crate::recognition::PraiseRecord { ack, .. } = r
                    .praise(praise)
                    .ok_or(RecognitionError::UnknownPraise(praise))?;
                match ack {
                    Acknowledgement::NotNeeded => {
                        return Err(RecognitionError::Unattributed(praise).into());
                    }
                    Acknowledgement::Acknowledged { .. } => {}
                    Acknowledgement::Pending { by: expected, .. } => {
                        if *expected != by {
                            return Err(RecognitionError::NotTheAcknowledger {
                                praise,
                                expected: *expected,
                                by,
                            }
                            .into());
                        }
                        push(d, RecognitionEventKind::Acknowledged { praise, by });
                    }
                }
            }
            RecognitionAction::RecognisePeer { to, note } => {
                let from = Self::acting_agent(d)?;
                self.active_agent(from)?;
                self.active_agent(to)?;
                if from == to {
                    return Err(RecognitionError::SelfRecognition(from).into());
                }
                let event = self.next_recognition_event(d);
                self.page(
                    d,
                    event,
                    0,
                    to,
                    format!("{} recognised you: {}", self.name_of(from), note.trim()),
                    now,
                );
                push(
                    d,
                    RecognitionEventKind::PeerRecognised {
                        from,
                        to,
                        note: note.trim().to_owned(),
                    },
                );
            }
            RecognitionAction::NameCommittee { members } => {
                for m in &members {
                    self.active_agent(*m)?;
                }
                let mut members = members;
                members.sort();
                members.dedup();
                push(d, RecognitionEventKind::CommitteeNamed { members });
            }
            RecognitionAction::IssueCertificate { agent, title } => {
                let by = Self::acting_agent(d)?;
                self.active_agent(agent)?;
                self.active_agent(by)?;
                if self.kudos(agent) == 0 {
                    return Err(RecognitionError::NoKudos(agent).into());
                }
                if !r.committee().is_empty() && !r.committee().contains(&by) {
                    return Err(RecognitionError::NotOnCommittee(by).into());
                }
                let serial = format!("COA-{:06}", r.certificates().len().saturating_add(1));
                let title = match title.trim() {
                    "" => "Certificate of Awesomeness".to_owned(),
                    t => t.to_owned(),
                };
                let event = self.next_recognition_event(d);
                self.page(
                    d,
                    event,
                    0,
                    agent,
                    format!("{title} {serial} — from {}", self.name_of(by)),
                    now,
                );
                push(
                    d,
                    RecognitionEventKind::CertificateIssued {
                        serial,
                        agent,
                        by,
                        title,
                    },
                );
            }
        }
        Ok(())
    }

    /// Who earned praise: the ticket's agent when it names a ticket; else
    /// the agent of the customer's most recently updated ticket within the
    /// window; else nobody (kept as unattributed).
    fn attribute(
        &self,
        source: &crate::recognition::PraiseSource,
        customer: Option<CustomerId>,
        ticket: Option<TicketId>,
        now: DateTime<Utc>,
    ) -> Result<(Option<AgentId>, Attribution), Error> {
        // A survey comment: the ticket and agent the survey was about.
        if let crate::recognition::PraiseSource::Survey { invitation } = source
            && let Some(inv) = self.invitations().find(|i| i.invitation.id == *invitation)
            && let (Some(t), Some(a)) = (inv.invitation.ticket, inv.invitation.agent)
        {
            return Ok((Some(a), Attribution::Ticket { ticket: t }));
        }
        if let Some(t) = ticket {
            let t = self.ticket_or_err(t)?;
            if let Some(a) = agent_of(t) {
                return Ok((Some(a), Attribution::Ticket { ticket: t.id() }));
            }
        }
        if let Some(c) = customer {
            self.customer_or_err(c)?;
            let since = now - self.config.recognition.window;
            let recent = self
                .tickets_of(c)
                .filter(|t| t.updated_at() >= since && t.updated_at() <= now)
                .filter_map(|t| agent_of(t).map(|a| (t.updated_at(), t.id(), a)))
                .max();
            if let Some((_, t, a)) = recent {
                return Ok((Some(a), Attribution::RecentTicket { ticket: t }));
            }
        }
        Ok((None, Attribution::Unattributed))
    }

    /// Reminders due at `now` for pending acknowledgements.
    pub(super) fn decide_reminders(&self, d: &mut Drafts, due: &[PraiseId], now: DateTime<Utc>) {
        let r = &self.state.recognition;
        for &id in due {
            let Some(crate::recognition::PraiseRecord {
                praise: p,
                ack: Acknowledgement::Pending { by, .. },
            }) = r.praise(id)
            else {
                continue;
            };
            let event = self.next_recognition_event(d);
            let agent = p.agent.map(|a| self.name_of(a)).unwrap_or_default();
            self.page(d, event, 0, *by, format!("Reminder: kudos for {agent} are waiting for your personal acknowledgement: \"{}\"", p.text), now);
            d.push(
                StreamId::Recognition,
                [Event::Recognition(RecognitionEvent {
                    at: now,
                    kind: RecognitionEventKind::Reminded {
                        praise: id,
                        next: crate::time::plus(now, self.config.recognition.remind_every),
                    },
                })],
            );
        }
    }
}
