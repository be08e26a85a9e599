//! The desk and recognition: attribution, kudos up the chain, the CEO's
//! acknowledgement with reminders, peers, the committee, certificates, and
//! smiles counted.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::{Desk, DeskError, Drafts, PageKind, page_of};
use crate::channel::Channel;
use crate::error::Error;
use crate::event::{Event, StreamId};
use crate::id::{AgentId, ContactId, CustomerId, PraiseId, TeamId, TicketId};
use crate::recognition::{
    Acknowledgement, Certificate, Found, Lead, PraiseLeads, PraiseRecord, PraiseSource,
    RecognitionAction, RecognitionContext, RecognitionError, RecognitionEvent,
    RecognitionEventKind,
};
use crate::template::TemplateName;
use crate::ticket::{Author, EntryVisibility, OpenTicket, Ticket};

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

    /// The next event id of `stream` in this decision.
    fn next_recognition_event(&self, d: &Drafts, stream: &StreamId) -> crate::id::EventId {
        d.event_id(self, stream, 1)
    }

    pub(super) fn decide_recognition(
        &self,
        d: &mut Drafts,
        action: RecognitionAction,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        // Praise from the handle of a known contact is that contact's
        // customer's, when the caller did not say whose it is.
        let mut action = action;
        if let RecognitionAction::RecordPraise {
            source, customer, ..
        } = &mut action
            && customer.is_none()
            && let Some(sender) = self.praise_sender(source)
        {
            *customer = Some(sender.customer);
        }
        if let RecognitionAction::RecordPraise {
            praise,
            source,
            text,
            customer,
            ticket,
            ..
        } = &action
            && let Some(signal) =
                crate::crisis::CrisisClassifier::assess(&self.config.crisis.policy, text)
        {
            // The same id twice is refused as for any praise, before
            // anything is opened.
            if self.state.recognition.praise(*praise).is_some()
                || self.ticket(praise.crisis_ticket()).is_some()
            {
                return Err(RecognitionError::DuplicatePraise(*praise).into());
            }
            let words = CrisisWords {
                source,
                text,
                customer: *customer,
                ticket: *ticket,
                signal,
            };
            return self.decide_praise_crisis(d, *praise, words, now);
        }
        let ctx = match &action {
            RecognitionAction::RecordPraise {
                source,
                customer,
                ticket,
                ..
            } => RecognitionContext::praise(self.praise_leads(
                PraiseAbout {
                    source,
                    customer: *customer,
                    ticket: *ticket,
                },
                now,
            )),
            RecognitionAction::Acknowledge { .. } => RecognitionContext::by(Self::acting_agent(d)?),
            RecognitionAction::RecognisePeer { to, .. } => {
                let from = Self::acting_agent(d)?;
                self.active_agent(from)?;
                self.active_agent(*to)?;
                RecognitionContext::by(from)
            }
            RecognitionAction::NameCommittee { members } => {
                for m in members {
                    self.active_agent(*m)?;
                }
                RecognitionContext::default()
            }
            RecognitionAction::IssueCertificate { agent, .. } => {
                let by = Self::acting_agent(d)?;
                self.active_agent(*agent)?;
                self.active_agent(by)?;
                RecognitionContext::by(by)
            }
        };
        let events = self
            .state
            .recognition
            .handle(action, ctx, now)
            .map_err(|e| recognition_error(e, d))?;
        self.record_recognition(d, events, now);
        Ok(())
    }

    /// "Praise" whose words say a person may be at risk is no praise: it
    /// is recorded as nothing of recognition's and pages nobody with the
    /// words. It opens a crisis ticket with the words as its opening
    /// message, for the person who wrote them when the desk can tell who
    /// (the social handle's contact, the survey's contact, the named
    /// ticket's requester) and their customer (else the customer named, or
    /// the named ticket's), and the desk takes it to a safety responder.
    fn decide_praise_crisis(
        &self,
        d: &mut Drafts,
        praise: PraiseId,
        words: CrisisWords<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let CrisisWords {
            source,
            text,
            customer,
            ticket,
            signal,
        } = words;
        let named = match ticket {
            Some(t) => Some(self.ticket_or_err(t)?),
            None => None,
        };
        // A contact who writes is the writer, whatever they name.
        let acting = match d.actor() {
            crate::actor::Actor::Contact(c) => self
                .state
                .customers
                .customer_of(*c)
                .map(|customer| (customer, *c)),
            _ => None,
        };
        let writer: Option<(CustomerId, ContactId)> = match source {
            PraiseSource::Social { network, handle } => {
                crate::channel::ChannelAddress::social(network.clone(), handle.as_str())
                    .ok()
                    .and_then(|a| self.state.customers.find_contact(&a))
                    .map(|c| (c.customer, c.contact))
            }
            PraiseSource::Survey { invitation } => self
                .invitations()
                .find(|i| i.invitation.id == *invitation)
                .map(|i| (i.invitation.customer, i.invitation.contact)),
            PraiseSource::TicketReply | PraiseSource::PhoneNote => None,
        }
        .or_else(|| named.and_then(|t| t.requester().map(|r| (t.customer(), r))))
        .filter(|(c, _)| customer.is_none_or(|named| named == *c));
        let writer = acting.or(writer);
        let customer = writer
            .map(|(c, _)| c)
            .or(customer)
            .or(named.map(crate::ticket::Ticket::customer))
            .ok_or(crate::crisis::CrisisError::NoCustomer { praise })?;
        self.customer_or_err(customer)?;
        let open = OpenTicket::new(
            praise.crisis_ticket(),
            customer,
            "A person may be at risk",
            Channel::Phone,
        );
        let open = match writer {
            Some((_, r)) => open.requested_by(r).with_message(Author::Contact(r), text),
            None => open.with_message(Author::System, text),
        };
        self.decide_open_flagged(d, open, Some(signal), now)
    }

    /// What the other areas know about where praise may be attributed:
    /// the survey's ticket and agent for a survey comment; the ticket it
    /// names and who worked it; the customer and their most recently
    /// updated ticket within the window that an agent worked. Each agent
    /// comes with their management chain.
    /// The known contact praise came from, by its social handle.
    fn praise_sender(&self, source: &PraiseSource) -> Option<crate::desk::ContactRef> {
        match source {
            PraiseSource::Social { network, handle } => {
                crate::channel::ChannelAddress::social(network.clone(), handle.as_str())
                    .ok()
                    .and_then(|a| self.state.customers.find_contact(&a))
            }
            PraiseSource::Survey { .. } | PraiseSource::TicketReply | PraiseSource::PhoneNote => {
                None
            }
        }
    }

    fn praise_leads(&self, about: PraiseAbout<'_>, now: DateTime<Utc>) -> PraiseLeads {
        let PraiseAbout {
            source,
            customer,
            ticket,
        } = about;
        let lead = |ticket, agent| Lead {
            ticket,
            agent,
            chain: self.chain_of(agent),
        };
        let survey = match source {
            PraiseSource::Survey { invitation } => self
                .invitations()
                .find(|i| i.invitation.id == *invitation)
                .and_then(|i| i.invitation.ticket.zip(i.invitation.agent))
                .map(|(t, a)| lead(t, a)),
            PraiseSource::Social { .. } | PraiseSource::TicketReply | PraiseSource::PhoneNote => {
                None
            }
        };
        let ticket = match ticket.map(|t| self.state.tickets.get(t)) {
            None => Found::NotNamed,
            Some(None) => Found::Unknown,
            Some(Some(t)) => Found::Known(agent_of(t).map(|a| lead(t.id(), a))),
        };
        let customer = match customer {
            None => Found::NotNamed,
            Some(c) if self.state.customers.get(c).is_none() => Found::Unknown,
            Some(c) => {
                let since = crate::time::minus(now, self.config.recognition.window);
                // The sender's own recent ticket first, when the praise
                // came from a known contact's handle; else the customer's.
                let sender = self
                    .praise_sender(source)
                    .filter(|s| s.customer == c)
                    .map(|s| s.contact);
                let recent = |mine: bool| {
                    self.tickets_of(c)
                        .filter(|t| t.updated_at() >= since && t.updated_at() <= now)
                        .filter(|t| !mine || (sender.is_some() && t.requester() == sender))
                        .filter_map(|t| agent_of(t).map(|a| (t.updated_at(), t.id(), a)))
                        .max()
                };
                let found = recent(true).or_else(|| recent(false));
                Found::Known(found.map(|(_, t, a)| lead(t, a)))
            }
        };
        PraiseLeads {
            survey,
            ticket,
            customer,
        }
    }

    /// Records recognition events, each with the pages it sends: praise to
    /// its agent and kudos up the chain (queued after the praise), peer
    /// recognition, certificates and reminders (queued before the event).
    fn record_recognition(
        &self,
        d: &mut Drafts,
        events: Vec<RecognitionEvent>,
        now: DateTime<Utc>,
    ) {
        let r = &self.state.recognition;
        for e in events {
            let stream = recognition_stream(&e);
            let event = self.next_recognition_event(d, &stream);
            let (pages, after) = match &e.kind {
                RecognitionEventKind::PraiseRecorded { praise: p } => {
                    let mut pages = Vec::new();
                    if let Some(a) = p.agent {
                        let (name, text) = (self.name_of(a), &p.text);
                        pages.push((a, self.text(TemplateName::Praise, &[("text", text)])));
                        pages.extend(p.chain.iter().map(|m| {
                            (
                                *m,
                                self.text(TemplateName::Kudos, &[("name", &name), ("text", text)]),
                            )
                        }));
                    }
                    (pages, true)
                }
                RecognitionEventKind::PeerRecognised { from, to, note } => {
                    let body = self.text(
                        TemplateName::PeerRecognition,
                        &[("colleague", &self.name_of(*from)), ("note", note)],
                    );
                    (vec![(*to, body)], false)
                }
                RecognitionEventKind::CertificateIssued {
                    serial,
                    agent,
                    by,
                    title,
                } => {
                    let body = self.text(
                        TemplateName::Certificate,
                        &[
                            ("title", title),
                            ("serial", serial),
                            ("by", &self.name_of(*by)),
                        ],
                    );
                    (vec![(*agent, body)], false)
                }
                RecognitionEventKind::Reminded { praise, .. } => {
                    let pages = match r.praise(*praise) {
                        Some(PraiseRecord {
                            praise: p,
                            ack: Acknowledgement::Pending { by, .. },
                        }) => {
                            let agent = p.agent.map(|a| self.name_of(a)).unwrap_or_default();
                            vec![(
                                *by,
                                self.text(
                                    TemplateName::KudosReminder,
                                    &[("agent", &agent), ("text", &p.text)],
                                ),
                            )]
                        }
                        Some(_) | None => Vec::new(),
                    };
                    (pages, false)
                }
                RecognitionEventKind::Acknowledged { .. }
                | RecognitionEventKind::CommitteeNamed { .. } => (Vec::new(), false),
            };
            let kind = match &e.kind {
                RecognitionEventKind::Reminded { .. } => PageKind::PraiseReminder,
                _ => PageKind::Kudos,
            };
            let send = |d: &mut Drafts| {
                for ((agent, body), i) in pages.into_iter().zip(0u64..) {
                    self.page(d, page_of(event, i, agent, kind, body), now);
                }
            };
            let record = Event::Recognition(e);
            if after {
                d.push(stream, [record]);
                send(d);
            } else {
                send(d);
                d.push(stream, [record]);
            }
        }
    }

    /// Reminders due at `now` for pending acknowledgements.
    pub(super) fn decide_reminders(&self, d: &mut Drafts, due: &[PraiseId], now: DateTime<Utc>) {
        let events =
            self.state
                .recognition
                .reminders_due(due, self.config.recognition.remind_every, now);
        self.record_recognition(d, events, now);
    }
}

/// The stream a recognition event goes to: a praise's own (recorded,
/// acknowledged, reminded), so kudos on two tickets never meet; the
/// programme's desk-wide stream for the committee, certificates (whose
/// serial numbers are a sequence) and peer recognition.
fn recognition_stream(e: &RecognitionEvent) -> StreamId {
    e.kind
        .praise()
        .map_or(StreamId::Recognition, StreamId::Praise)
}

/// A refusal by recognition as the desk reports it: unknown tickets and
/// customers, and a missing agent, as for every other area.
fn recognition_error(e: RecognitionError, d: &Drafts) -> Error {
    match e {
        RecognitionError::UnknownTicket(t) => DeskError::UnknownTicket(t).into(),
        RecognitionError::UnknownCustomer(c) => DeskError::UnknownCustomer(c).into(),
        RecognitionError::NeedsAgent => DeskError::NeedsAgent {
            actor: d.actor().clone(),
        }
        .into(),
        e @ (RecognitionError::EmptyPraise
        | RecognitionError::EmptyNote
        | RecognitionError::UnknownPraise(_)
        | RecognitionError::DuplicatePraise(_)
        | RecognitionError::NotTheAcknowledger { .. }
        | RecognitionError::Unattributed(_)
        | RecognitionError::NoKudos(_)
        | RecognitionError::NotOnCommittee(_)
        | RecognitionError::SelfRecognition(_)) => e.into(),
    }
}

/// Words sent in as praise that signal a crisis, and who they are about.
struct CrisisWords<'a> {
    source: &'a PraiseSource,
    text: &'a str,
    customer: Option<CustomerId>,
    ticket: Option<TicketId>,
    signal: crate::crisis::CrisisSignal,
}

/// What praise names, for finding who earned it.
struct PraiseAbout<'a> {
    source: &'a PraiseSource,
    customer: Option<CustomerId>,
    ticket: Option<TicketId>,
}
