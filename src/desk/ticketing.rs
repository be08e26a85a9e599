//! The ticket area's deciding: opening, inbound messages, replies and
//! changes, promises, escalations, links, merges and crisis flags.

#![allow(clippy::wildcard_imports)]

use super::decision::{message_of, salt};
use super::*;
use crate::channel::{SocialNetwork, Visibility};
use crate::guard::ReplyDraft;
use crate::id::PostId;
use crate::template::TemplateName;

impl Desk {
    pub(super) fn decide_ticket_action(
        &self,
        d: &mut Drafts,
        action: TicketAction,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        match action {
            TicketAction::Open(open) => self.decide_open(d, open, now)?,
            TicketAction::Receive(msg) => self.decide_inbound(d, msg, now)?,
            TicketAction::Reply {
                ticket,
                body,
                attachments,
            } => {
                let agent = Self::acting_agent(d)?;
                let channel = self.ticket_or_err(ticket)?.channel().clone();
                let command = TicketCommand::Reply {
                    author: Author::Agent(agent),
                    channel,
                    body,
                    attachments,
                };
                self.decide_ticket(d, ticket, command, now)?;
            }
            TicketAction::Update { ticket, command } => {
                check_named(d.actor(), &command)?;
                self.decide_ticket(d, ticket, command, now)?;
            }
            TicketAction::Promise { ticket, due, note } => {
                let agent = Self::acting_agent(d)?;
                if due <= now {
                    return Err(SlaError::PromiseInPast { due, now }.into());
                }
                let due_text = due.to_string();
                let body = match note.trim() {
                    "" => self.text(TemplateName::Promise, &[("due", &due_text)]),
                    n => self.text(
                        TemplateName::PromiseNote,
                        &[("due", &due_text), ("note", n)],
                    ),
                };
                let command = TicketCommand::Note {
                    agent,
                    body,
                    attachments: Vec::new(),
                };
                self.decide_ticket(d, ticket, command, now)?;
                let t = self.ticket_or_err(ticket)?;
                let empty = TicketSla::new(ticket, t.customer());
                let sla = self.state.slas.get(ticket).unwrap_or(&empty);
                d.push(
                    StreamId::Sla(ticket),
                    [Event::Sla(crate::sla::promise(sla, due, now))],
                );
            }
            TicketAction::Escalate {
                ticket,
                department,
                reason,
                context,
                notify,
            } => {
                let by = Self::acting_agent(d)?;
                for a in &notify {
                    self.active_agent(*a)?;
                }
                // A crisis ticket's reason may quote it: the page names
                // the ticket only.
                let (ticket_text, department_text) = (ticket.to_string(), department.to_string());
                let body = if self.is_crisis(ticket) {
                    self.text(
                        TemplateName::HandOffRestricted,
                        &[("ticket", &ticket_text), ("department", &department_text)],
                    )
                } else {
                    self.text(
                        TemplateName::HandOff,
                        &[
                            ("ticket", &ticket_text),
                            ("department", &department_text),
                            ("reason", &reason),
                        ],
                    )
                };
                let command = TicketCommand::HandOff {
                    to: department,
                    by,
                    reason,
                    context,
                };
                self.decide_ticket(d, ticket, command, now)?;
                let stream = StreamId::Ticket(ticket);
                if d.count(&stream) > 0 {
                    let last = d.event_id(self, &stream, 0);
                    let kind = match self.ticket_or_err(ticket)?.priority() {
                        crate::ticket::Priority::Urgent => PageKind::UrgentEscalation,
                        _ => PageKind::Escalation,
                    };
                    let messages = notify.iter().zip(1u64..).map(|(agent, i)| {
                        let page = Page {
                            id: message_of(last, i),
                            agent: *agent,
                            kind,
                            body: body.clone(),
                            ticket: Some(ticket),
                        };
                        self.queue_page(page, now)
                    });
                    d.push_outbox(messages.collect::<Vec<_>>());
                }
            }
            TicketAction::Link {
                ticket,
                link,
                other,
            } => {
                let a = self.ticket_or_err(ticket)?;
                let b = self.ticket_or_err(other)?;
                let l = a.link(link, b, now)?;
                d.push(
                    StreamId::Ticket(ticket),
                    l.from.into_iter().map(Event::Ticket),
                );
                d.push(StreamId::Ticket(other), l.to.into_iter().map(Event::Ticket));
            }
            TicketAction::Merge { source, target } => {
                self.decide_merge(d, source, target, now)?;
            }
            TicketAction::FlagCrisis { ticket, signal } => {
                let t = self.ticket_or_err(ticket)?;
                if !self.is_crisis(ticket) {
                    let takeover = self.crisis_takeover(t, None, now)?;
                    self.push_ticket(d, t, takeover.events, now);
                    self.push_crisis(d, ticket, signal, takeover.staffing, now);
                }
            }
            TicketAction::Split {
                ticket,
                new_ticket,
                entries,
            } => self.decide_split(d, ticket, new_ticket, &entries, now)?,
            TicketAction::AttachTriaged {
                message,
                customer,
                contact,
            } => self.decide_attach(d, message, customer, contact, now)?,
            TicketAction::CreateFromTriaged { message } => {
                self.decide_create_from(d, message, now)?;
            }
            TicketAction::DiscardTriaged { message } => self.decide_discard(d, message, now)?,
            TicketAction::ApplyMacro { ticket, name } => {
                self.decide_macro(d, ticket, &name, now)?
            }
        }
        Ok(())
    }

    /// Merges `source` into `target`. A merge that involves a crisis
    /// ticket is a safety responder's to do, and merging a crisis into an
    /// ordinary ticket makes the target a crisis too (it now holds the
    /// words), taken by the responder who merged it.
    fn decide_merge(
        &self,
        d: &mut Drafts,
        source: TicketId,
        target: TicketId,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let by = Self::acting_agent(d)?;
        let a = self.ticket_or_err(source)?;
        let b = self.ticket_or_err(target)?;
        for t in [source, target] {
            if self.is_crisis(t) && !self.is_safety_responder(by) {
                return Err(crate::crisis::CrisisError::MergeRestricted {
                    agent: by,
                    ticket: t,
                }
                .into());
            }
        }
        let m = a.merge_into(b, by, now)?;
        let spread = self
            .state
            .crises
            .get(source)
            .filter(|_| !self.is_crisis(target))
            .map(|r| crate::crisis::CrisisSignal {
                reason: format!("merged from crisis ticket {source}: {}", r.signal.reason),
                matched: r.signal.matched.clone(),
            });
        let mut after = b.clone();
        for e in &m.target {
            after.apply(e);
        }
        d.push(
            StreamId::Ticket(source),
            m.source.into_iter().map(Event::Ticket),
        );
        d.push(
            StreamId::Ticket(target),
            m.target.into_iter().map(Event::Ticket),
        );
        if let Some(signal) = spread {
            let takeover = self.crisis_takeover(&after, Some(by), now)?;
            self.push_ticket(d, &after, takeover.events, now);
            self.push_crisis(d, target, signal, takeover.staffing, now);
        }
        Ok(())
    }

    pub(super) fn check_author(&self, customer: &Customer, author: Author) -> Result<(), Error> {
        match author {
            Author::Contact(contact) => match customer.contact(contact) {
                None => {
                    return Err(CustomerError::UnknownContact {
                        customer: customer.id(),
                        contact,
                    }
                    .into());
                }
                Some(c) => {
                    if let Some(into) = c.merged_into() {
                        return Err(CustomerError::ContactMerged {
                            customer: customer.id(),
                            contact,
                            into,
                        }
                        .into());
                    }
                }
            },
            Author::Agent(a) => {
                self.active_agent(a)?;
            }
            Author::System => {}
        }
        Ok(())
    }

    pub(super) fn decide_open(
        &self,
        d: &mut Drafts,
        open: OpenTicket,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        self.decide_open_flagged(d, open, None, now)
    }

    /// Opens a ticket; a crisis when `signal` says so or the contact's
    /// opening message is one.
    pub(super) fn decide_open_flagged(
        &self,
        d: &mut Drafts,
        open: OpenTicket,
        signal: Option<crate::crisis::CrisisSignal>,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let customer = self.customer_or_err(open.customer)?;
        self.decide_open_for(d, customer, open, signal, now)
    }

    /// [`Desk::decide_open_flagged`] for `customer` as the decision has it
    /// (a customer the same decision registers is not in the desk yet).
    pub(super) fn decide_open_for(
        &self,
        d: &mut Drafts,
        customer: &Customer,
        open: OpenTicket,
        signal: Option<crate::crisis::CrisisSignal>,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let mut open = open;
        let stream = self.fresh(StreamId::Ticket(open.id))?;
        // Decided on the customer as this desk knows it: a merge of them
        // recorded meanwhile by another desk (it writes their stream)
        // makes the append conflict, and the retry is refused with
        // `CustomerMerged`. Opens only check the stream, so two of them
        // for one customer do not conflict with each other.
        d.check(StreamId::Customer(customer.id()));
        open.fields = self.checked_ticket_fields(open.kind, std::mem::take(&mut open.fields))?;
        if open.customer != customer.id() {
            return Err(DeskError::UnknownCustomer(open.customer).into());
        }
        if let Some(r) = open.requester
            && customer.contact(r).is_none()
        {
            return Err(CustomerError::UnknownContact {
                customer: customer.id(),
                contact: r,
            }
            .into());
        }
        if let Some(m) = &open.message {
            check_opening_author(d.actor(), m.author)?;
            self.check_author(customer, m.author)?;
        }
        let id = open.id;
        let customer_id = open.customer;
        // Everything the person who asked wrote is assessed: the subject
        // (a mail's, or the one a portal form sends) as well as the body.
        let assess =
            |text: &str| crate::crisis::CrisisClassifier::assess(&self.config.crisis.policy, text);
        let by_contact = open
            .message
            .as_ref()
            .is_some_and(|m| matches!(m.author, Author::Contact(_)));
        let signal = signal
            .or_else(|| {
                open.message
                    .as_ref()
                    .filter(|_| by_contact)
                    .and_then(|m| assess(&m.body))
            })
            .or_else(|| {
                (by_contact || open.requester.is_some())
                    .then(|| assess(&open.subject))
                    .flatten()
            });
        let mut events = Ticket::open(open, &self.config.ticket_rules, now)?;
        let mut crisis = None;
        if let Some(signal) = signal {
            let t = Ticket::from_events(&events).ok_or(DeskError::UnknownTicket(id))?;
            let takeover = self.crisis_takeover(&t, None, now)?;
            events.extend(takeover.events);
            crisis = Some((signal, takeover.staffing));
        }
        // The assignment rule's events, decided with the opening (not for
        // a crisis: a safety responder takes it).
        let assigned = if crisis.is_none() {
            self.assign_on_arrival(&events, now)
        } else {
            Vec::new()
        };
        let all: Vec<TicketEvent> = events.iter().chain(&assigned).cloned().collect();
        let sla = crate::sla::react(None, &all, customer_id, &self.config.sla, now);
        d.push(stream, events.into_iter().map(Event::Ticket));
        Self::push_by_rule(d, stream, assigned.into_iter().map(Event::Ticket).collect());
        d.push(StreamId::Sla(id), sla.into_iter().map(Event::Sla));
        if let Some((signal, staffing)) = crisis {
            self.push_crisis(d, id, signal, staffing, now);
        }
        Ok(())
    }

    /// Pushes a ticket's events and their SLA consequences.
    pub(super) fn push_ticket(
        &self,
        d: &mut Drafts,
        t: &Ticket,
        events: Vec<TicketEvent>,
        now: DateTime<Utc>,
    ) {
        self.push_ticket_ruled(d, t, events, Vec::new(), now);
    }

    /// [`Desk::push_ticket`], then `ruled`: the assignment rule's events
    /// on the ticket as `events` leave it, by the rule, their SLA
    /// consequences worked out with the others'.
    pub(super) fn push_ticket_ruled(
        &self,
        d: &mut Drafts,
        t: &Ticket,
        mut events: Vec<TicketEvent>,
        ruled: Vec<TicketEvent>,
        now: DateTime<Utc>,
    ) {
        if events.is_empty() && ruled.is_empty() {
            return;
        }
        let own = events.len();
        events.extend(ruled);
        // The SLA as this decision has left it so far (a timer's warning,
        // a command's reactions before a trigger's changes).
        let drafted;
        let empty;
        let sla = match self.state.slas.get(t.id()) {
            _ if d.count(&StreamId::Sla(t.id())) > 0 => {
                drafted = self.sla_as_drafted(d, t.id(), t.customer());
                match &drafted {
                    Some(s) => s,
                    None => {
                        empty = TicketSla::new(t.id(), t.customer());
                        &empty
                    }
                }
            }
            Some(s) => s,
            None => {
                empty = TicketSla::new(t.id(), t.customer());
                &empty
            }
        };
        let reactions =
            crate::sla::react(Some((t, sla)), &events, t.customer(), &self.config.sla, now);
        let ruled = events.split_off(own.min(events.len()));
        d.push(
            StreamId::Ticket(t.id()),
            events.into_iter().map(Event::Ticket),
        );
        Self::push_by_rule(
            d,
            StreamId::Ticket(t.id()),
            ruled.into_iter().map(Event::Ticket).collect(),
        );
        d.push(StreamId::Sla(t.id()), reactions.into_iter().map(Event::Sla));
    }

    pub(super) fn decide_inbound(
        &self,
        d: &mut Drafts,
        msg: InboundMessage,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let from = msg.from.clone().validated()?;
        let on_channel = match &msg.channel {
            // A portal user is signed in: any of their addresses will do.
            Channel::Portal => true,
            // A video session is scheduled with whatever address they gave.
            Channel::Video => true,
            c => from.reaches(c),
        };
        let Some(ContactRef { customer, contact }) = self.state.customers.find_contact(&from)
        else {
            return match self.config.unknown_senders.for_channel(msg.channel.kind()) {
                super::UnknownSender::Create if on_channel => {
                    self.decide_arrival(d, msg, from, now).map(|_| ())
                }
                super::UnknownSender::Triage if on_channel => self.decide_hold(d, msg, from, now),
                super::UnknownSender::Create | super::UnknownSender::Triage => {
                    Err(DeskError::AddressNotOnChannel {
                        address: from,
                        channel: msg.channel,
                    }
                    .into())
                }
                _ => Err(DeskError::UnknownSender(from).into()),
            };
        };
        if !on_channel {
            return Err(DeskError::AddressNotOnChannel {
                address: from,
                channel: msg.channel,
            }
            .into());
        }
        // A closed or archived ticket takes no replies: the message opens
        // a follow-up linked to it.
        let mut follows_up = None;
        let continuing = match msg.in_reply_to {
            Some(id) => match self.state.tickets.get(id) {
                Some(t) => {
                    if t.customer() != customer {
                        return Err(DeskError::ForeignContact {
                            contact,
                            customer: t.customer(),
                        }
                        .into());
                    }
                    if t.status() == Status::Closed {
                        follows_up = Some(id);
                        None
                    } else {
                        Some(id)
                    }
                }
                // Not in memory: archived, if it is in the customer's
                // archive (read from the store when they have one).
                None if Self::archive_of(d, customer).is_some_and(|a| a.contains(id)) => {
                    follows_up = Some(id);
                    None
                }
                None => return Err(DeskError::UnknownTicket(id).into()),
            },
            None => None,
        };
        if let Some(ticket) = continuing {
            let command = TicketCommand::Reply {
                author: Author::Contact(contact),
                channel: msg.channel,
                body: msg.body,
                attachments: msg.attachments,
            };
            let then = msg
                .tags
                .into_iter()
                .map(TicketCommand::AddTag)
                .chain(
                    msg.fields
                        .iter()
                        .map(|(key, value)| TicketCommand::SetField {
                            key: key.clone(),
                            value: value.clone(),
                        }),
                )
                .collect();
            return self.decide_ticket_then(d, ticket, command, then, Review::Required, now);
        }
        let subject = match msg.subject.as_deref().map(str::trim) {
            Some(s) if !s.is_empty() => s.to_owned(),
            _ => subject_from_body(&msg.body),
        };
        let mut open = OpenTicket::new(msg.new_ticket, customer, &subject, msg.channel)
            .requested_by(contact)
            .with_message(Author::Contact(contact), &msg.body);

        for a in msg.attachments {
            open = open.with_attachment(a);
        }
        for t in msg.tags {
            open = open.with_tag(t);
        }
        open.fields = msg.fields;
        let id = open.id;
        self.decide_open(d, open, now)?;
        if let Some(closed) = follows_up {
            d.push(
                StreamId::Ticket(id),
                [Event::Ticket(TicketEvent {
                    at: now,
                    kind: TicketEventKind::FollowUpOf { ticket: closed },
                })],
            );
        }
        Ok(())
    }

    pub(super) fn decide_ticket(
        &self,
        d: &mut Drafts,
        ticket: TicketId,
        command: TicketCommand,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        self.decide_ticket_reviewed(d, ticket, command, Review::Required, now)
    }

    /// A ticket change. A public reply by an agent on a public social
    /// channel comes from a company account: unless `review` says it was
    /// approved already, it passes the guard policy first, and a reply a
    /// rule holds is recorded as a held official post (nothing reaches the
    /// ticket or the customer until it is approved; see `decide_post`).
    /// The reply is decided in full first, so one the ticket would refuse
    /// is refused, not held.
    pub(super) fn decide_ticket_reviewed(
        &self,
        d: &mut Drafts,
        ticket: TicketId,
        command: TicketCommand,
        review: Review,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        self.decide_ticket_then(d, ticket, command, Vec::new(), review, now)
    }

    /// [`Desk::decide_ticket_reviewed`], and then more changes to the
    /// same ticket in the same decision (an inbound message's tags and
    /// fields), decided on the ticket as the first leaves it, so their SLA
    /// consequences are worked out together.
    pub(super) fn decide_ticket_then(
        &self,
        d: &mut Drafts,
        ticket: TicketId,
        command: TicketCommand,
        then: Vec<TicketCommand>,
        review: Review,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let t = self.ticket_or_err(ticket)?;
        let customer = self.customer_or_err(t.customer())?;
        let command = self.check_ticket_command(t, customer, command)?;
        let signal = match &command {
            TicketCommand::Reply {
                author: Author::Contact(_),
                body,
                ..
            } if !self.is_crisis(ticket) => {
                crate::crisis::CrisisClassifier::assess(&self.config.crisis.policy, body)
            }
            _ => None,
        };
        let draft = match (&command, review) {
            (
                TicketCommand::Reply {
                    author: Author::Agent(author),
                    channel,
                    body,
                    attachments,
                },
                Review::Required,
                // A crisis reply is the safety responder's, and a held post
                // would carry its words to every reviewer: never held.
            ) if !self.is_crisis(ticket) => public_network(channel).map(|network| ReplyDraft {
                post: PostId::from_uuid(
                    message_of(d.event_id(self, &StreamId::Posts, 1), salt::POST).as_uuid(),
                ),
                ticket,
                network,
                author: *author,
                text: body.clone(),
                attachments: attachments.clone(),
            }),
            _ => None,
        };
        let mut events = t.handle_with(command, &self.config.ticket_rules, now)?;
        if !then.is_empty() {
            let mut after = t.clone();
            for e in &events {
                after.apply(e);
            }
            for command in then {
                let command = self.checked_ticket_command(&after, command)?;
                let more = after.handle_with(command, &self.config.ticket_rules, now)?;
                for e in &more {
                    after.apply(e);
                }
                events.extend(more);
            }
        }
        if let Some(draft) = draft
            && let Some(held) = self
                .state
                .posts
                .review_reply(draft, &self.config.guard, now)?
        {
            d.push(StreamId::Posts, [Event::Post(held)]);
            return Ok(());
        }
        let mut crisis = None;
        if let Some(signal) = signal {
            let mut after = t.clone();
            for e in &events {
                after.apply(e);
            }
            let takeover = self.crisis_takeover(&after, None, now)?;
            events.extend(takeover.events);
            crisis = Some((signal, takeover.staffing));
        }
        if let Some((signal, staffing)) = crisis {
            self.push_crisis(d, ticket, signal, staffing, now);
        }
        self.finish_ticket(d, t, customer, events, now, true)
    }

    /// A ticket command with its field value checked against the
    /// configuration, and everything it names checked: its author, agents
    /// active, a CC the customer's, a team that exists.
    pub(super) fn check_ticket_command(
        &self,
        t: &Ticket,
        customer: &Customer,
        command: TicketCommand,
    ) -> Result<TicketCommand, Error> {
        let command = self.checked_ticket_command(t, command)?;
        match &command {
            TicketCommand::Reply { author, .. } => self.check_author(customer, *author)?,
            TicketCommand::Note { agent, .. }
            | TicketCommand::Assign(Some(agent))
            | TicketCommand::HandOff { by: agent, .. }
            | TicketCommand::AddFollower { agent }
            | TicketCommand::LogTime { agent, .. } => {
                self.active_agent(*agent)?;
            }
            TicketCommand::AddCc { contact } => check_cc(customer, *contact)?,
            TicketCommand::SetTeam(Some(team)) if self.team(*team).is_none() => {
                return Err(DeskError::UnknownTeam(*team).into());
            }
            _ => {}
        }
        Ok(command)
    }

    /// The rest of a ticket decision once its events are known: replies
    /// queued to the customer, SLA reactions, and (with `csat`) the
    /// satisfaction survey on solving.
    pub(super) fn finish_ticket(
        &self,
        d: &mut Drafts,
        t: &Ticket,
        customer: &Customer,
        events: Vec<TicketEvent>,
        now: DateTime<Utc>,
        csat: bool,
    ) -> Result<(), Error> {
        let ticket = t.id();
        let stream = StreamId::Ticket(ticket);
        let mut messages = Vec::new();
        for (e, v) in events.iter().zip(1u64..) {
            if let TicketEventKind::EntryAdded { entry } = &e.kind {
                // Support's public replies: an agent's, or the desk's own
                // (a trigger's).
                let agent_public = !matches!(entry.author, Author::Contact(_))
                    && entry.visibility == crate::ticket::EntryVisibility::Public;
                // A live channel that is down cannot carry the reply
                // (nobody can take the call): it goes out on a fallback.
                let live = is_live(&entry.channel) && !self.is_down(entry.channel.kind());
                if agent_public && !live {
                    let (channel, contact, address) =
                        self.route_reply(t, customer, &entry.channel)?;
                    let event_id = d.event_id(self, &stream, v);
                    messages.push(outbox(
                        now,
                        OutboxEventKind::Queued {
                            message: OutboundMessage {
                                id: message_of(event_id, salt::MESSAGE),
                                channel,
                                recipient: Recipient::Contact { contact, address },
                                body: entry.body.clone(),
                                ticket: Some(ticket),
                                queued_at: now,
                                deliver_after: None,
                                attachments: entry.attachments.clone(),
                                automatic: false,
                            },
                        },
                    ));
                    messages.extend(self.copies_to_ccs(t, customer, entry, contact, event_id, now));
                }
                let event_id = d.event_id(self, &stream, v);
                messages.extend(self.pages_to_followers(t, entry, event_id, now));
            }
        }
        let solved = events.iter().any(|e| {
            matches!(
                e.kind,
                TicketEventKind::StatusChanged {
                    to: Status::Solved,
                    ..
                }
            )
        });
        let solved_by = events.iter().rev().find_map(|e| match e.kind {
            TicketEventKind::Assigned { agent } => Some(agent),
            _ => None,
        });
        let assignee = solved_by.unwrap_or(t.assignee());
        let last = d.event_id(
            self,
            &stream,
            u64::try_from(events.len()).unwrap_or(u64::MAX),
        );
        // Placed in a team whose tickets the desk assigns by itself.
        let ruled = self.assign_on_team(t, &events, now);
        let freed = self.freed_by(t, &events, &ruled);
        self.push_ticket_ruled(d, t, events, ruled, now);
        if let Some(freed) = freed {
            self.assign_freed(d, t.id(), freed, now);
        }
        d.push_outbox(messages);
        if solved && csat {
            self.csat_on_solve(d, t, assignee, last, now)?;
        }
        Ok(())
    }
}

/// Whether `contact` may be copied on a ticket of `customer`: one of its
/// contacts, not erased.
pub(super) fn check_cc(customer: &Customer, contact: ContactId) -> Result<(), Error> {
    match customer.contact(contact) {
        None => Err(CustomerError::UnknownContact {
            customer: customer.id(),
            contact,
        }
        .into()),
        Some(c) if c.erased().is_some() => Err(CustomerError::ContactErased {
            customer: customer.id(),
            contact,
        }
        .into()),
        Some(c) => match c.merged_into() {
            Some(into) => Err(CustomerError::ContactMerged {
                customer: customer.id(),
                contact,
                into,
            }
            .into()),
            None => Ok(()),
        },
    }
}

/// Whether a ticket change names the actor as its author: an agent may not
/// reply, note or hand off as someone else, nor a contact write as another
/// contact or as staff.
/// Who may write as `author`: the agent or contact themselves; the desk's
/// own words come from an integration (`automation`), never from a person.
fn author_actor(author: Author) -> Actor {
    match author {
        Author::Agent(a) => Actor::Agent(a),
        Author::Contact(c) => Actor::Contact(c),
        Author::System => Actor::integration("automation"),
    }
}

/// The first message of a ticket opened by `actor` must be theirs: a
/// contact writes as themselves; an agent as themselves or for a contact
/// (a call taken down); the desk's words only from an integration.
pub(super) fn check_opening_author(actor: &Actor, author: Author) -> Result<(), DeskError> {
    let named = author_actor(author);
    let ok = match (actor, author) {
        (Actor::Agent(_), Author::Contact(_)) => true,
        (Actor::Agent(_) | Actor::Contact(_), _) => *actor == named,
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(DeskError::ActorMismatch {
            actor: actor.clone(),
            named,
        })
    }
}

pub(super) fn check_named(actor: &Actor, command: &TicketCommand) -> Result<(), DeskError> {
    let named = match command {
        TicketCommand::Reply { author, .. } => author_actor(*author),
        TicketCommand::Note { agent, .. }
        | TicketCommand::HandOff { by: agent, .. }
        | TicketCommand::LogTime { agent, .. } => Actor::Agent(*agent),
        TicketCommand::SetStatus(_)
        | TicketCommand::SetPriority(_)
        | TicketCommand::SetType(_)
        | TicketCommand::Assign(_)
        | TicketCommand::SetTeam(_)
        | TicketCommand::AddTag(_)
        | TicketCommand::RemoveTag(_)
        | TicketCommand::AddCc { .. }
        | TicketCommand::RemoveCc { .. }
        | TicketCommand::AddFollower { .. }
        | TicketCommand::RemoveFollower { .. }
        | TicketCommand::SetField { .. }
        | TicketCommand::ClearField { .. } => return Ok(()),
    };
    match actor {
        Actor::Agent(_) | Actor::Contact(_) if *actor != named => Err(DeskError::ActorMismatch {
            actor: actor.clone(),
            named,
        }),
        _ => Ok(()),
    }
}

/// Whether a ticket change still needs the guard policy's review of a
/// public reply from a company account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Review {
    /// Review it (a reply as an agent writes it).
    Required,
    /// A person approved it already (a held reply being released).
    Approved,
}

/// The network a reply on `channel` goes out on publicly, from a company
/// account: `None` for every channel that is not a public social one.
pub(super) fn public_network(channel: &Channel) -> Option<SocialNetwork> {
    match channel {
        Channel::Social {
            network,
            visibility: Visibility::Public,
        } => Some(network.clone()),
        _ => None,
    }
}

/// Phone and video replies happen live: there is nothing to deliver.
pub(super) fn is_live(channel: &Channel) -> bool {
    matches!(channel.kind(), ChannelKind::Phone | ChannelKind::Video)
}

/// Portal replies are delivered as email notifications; every other
/// channel delivers on itself.
pub(super) fn delivery_channel(channel: &Channel) -> Channel {
    match channel {
        Channel::Portal => Channel::Email,
        c => c.clone(),
    }
}

/// A subject from a message's first line, at most 80 characters.
pub(super) fn subject_from_body(body: &str) -> String {
    let line = body
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let mut s: String = line.chars().take(80).collect();
    if line.chars().count() > 80 {
        s.push('…');
    }
    if s.is_empty() {
        "(no subject)".to_owned()
    } else {
        s
    }
}
