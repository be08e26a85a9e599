//! Applying the record: checking stored events against the desk's
//! streams and routing each to the area that owns it.

#![allow(clippy::wildcard_imports)]

use super::*;

impl Desk {
    /// Folds stored events into the desk. The events must continue the
    /// desk's streams exactly; otherwise nothing is applied. When you
    /// persist a decision yourself and the store placed it after events
    /// this desk has not seen (its first position is not
    /// [`Desk::position`] + 1: another writer got in between, on other
    /// streams), call [`Desk::catch_up`] instead, which applies everything
    /// in store order.
    ///
    /// # Errors
    /// [`DeskError::OutOfOrder`], [`DeskError::EventMismatch`].
    pub fn apply(&mut self, recorded: &[RecordedEvent]) -> Result<(), Error> {
        // Check the whole batch first, so a bad batch changes nothing: the
        // versions move as the batch is checked (one lookup an event), and
        // a refused batch puts back the versions it moved.
        let mut moved: Vec<(StreamId, u64)> = Vec::with_capacity(recorded.len());
        for r in recorded {
            if let Err(e) = self.check_next(r, &mut moved) {
                for (stream, version) in moved.into_iter().rev() {
                    match version {
                        0 => self.state.versions.remove(&stream),
                        v => self.state.versions.insert(stream, v),
                    }
                }
                return Err(e);
            }
        }
        for r in recorded {
            self.apply_one(r);
        }
        Ok(())
    }

    /// Checks that `r` continues its stream and may be there, and moves
    /// the stream's version on to it; `moved` gets the version it had.
    fn check_next(
        &mut self,
        r: &RecordedEvent,
        moved: &mut Vec<(StreamId, u64)>,
    ) -> Result<(), Error> {
        crate::store::check_schema(r.position, r.schema)?;
        let v = self.state.versions.get(&r.stream);
        let expected = v.saturating_add(1);
        if r.version != expected {
            return Err(DeskError::OutOfOrder {
                stream: r.stream,
                expected,
                got: r.version,
            }
            .into());
        }
        if !self.can_hold(r) {
            return Err(DeskError::EventMismatch {
                stream: r.stream,
                version: r.version,
            }
            .into());
        }
        moved.push((r.stream, v));
        self.state.versions.insert(r.stream, expected);
        Ok(())
    }

    pub(super) fn can_hold(&self, r: &RecordedEvent) -> bool {
        Self::holds(&r.stream, r.version, &r.event)
    }

    /// Whether `event` may be the event at `version` of `stream`: creation
    /// events open their own stream, and only it.
    pub(super) fn holds(stream: &StreamId, version: u64, event: &Event) -> bool {
        let first = version == 1;
        match (stream, event) {
            (StreamId::Customer(id), Event::Customer(e)) => {
                first == matches!(e.kind, CustomerEventKind::Registered { id: i, .. } if i == *id)
            }
            (StreamId::Agent(id), Event::Agent(e)) => {
                first == matches!(e.kind, AgentEventKind::Registered { id: i, .. } if i == *id)
            }
            (StreamId::Team(id), Event::Team(e)) => {
                first
                    == matches!(e.kind, crate::agent::TeamEventKind::Created { id: i, .. } if i == *id)
            }
            (StreamId::Ticket(id), Event::Ticket(e)) => {
                first == matches!(e.kind, TicketEventKind::Opened { id: i, .. } if i == *id)
            }
            // Legacy desk-wide streams: whatever their area records.
            (StreamId::Outbox, Event::Outbox(_)) => true,
            (StreamId::Surveys, Event::Survey(_)) => true,
            (StreamId::Recognition, Event::Recognition(_)) => true,
            (StreamId::Coaching, Event::Coaching(_)) => true,
            // A message's stream opens with its queuing; everything after
            // is about it. (A message queued on the legacy outbox has its
            // later events here, without the queuing.)
            (StreamId::Message(id), Event::Outbox(e)) => match &e.kind {
                OutboxEventKind::Queued { message } => first && message.id == *id,
                other => other.message() == *id,
            },
            (StreamId::Invitations(contact), Event::Survey(e)) => match &e.kind {
                crate::survey::SurveyEventKind::Invited { invitation } => {
                    invitation.contact == *contact
                }
                // Which contact an answered invitation was sent to is the
                // desk's to know; it writes the answer to their stream.
                _ => true,
            },
            (StreamId::Praise(id), Event::Recognition(e)) => {
                // Recorded at version 1, or not at all.
                let recorded = matches!(
                    &e.kind,
                    crate::recognition::RecognitionEventKind::PraiseRecorded { .. }
                );
                // As for messages: a praise recorded on the legacy
                // recognition stream has its acknowledgement here alone.
                e.kind.praise() == Some(*id) && (first || !recorded)
            }
            (StreamId::Mistakes(agent), Event::Coaching(e)) => e.kind.agent() == *agent,
            (StreamId::Posts, Event::Post(_)) => true,
            (StreamId::Crisis, Event::Crisis(_)) => true,
            (StreamId::Channels, Event::Channel(_)) => true,
            (StreamId::Trends, Event::Trend(_)) => true,
            (StreamId::Permissions, Event::Permission(_)) => true,
            (StreamId::Fields, Event::Fields(_)) => true,
            (StreamId::Rules, Event::Rules(_)) => true,
            (StreamId::Triage(id), Event::Triage(e)) => {
                first
                    == matches!(e.kind, crate::ticket::TriageEventKind::Held { id: i, .. } if i == *id)
            }
            (StreamId::Command(_), Event::Command(_)) => first,
            (StreamId::Archive(_), Event::Ticket(e)) => {
                matches!(e.kind, TicketEventKind::Archived { .. })
            }
            (StreamId::Incident(id), Event::Incident(e)) => {
                first
                    == matches!(e.kind, crate::incident::IncidentEventKind::Declared { id: i, .. } if i == *id)
            }
            (StreamId::Refund(id), Event::Refund(e)) => match &e.kind {
                crate::refund::RefundEventKind::Requested { request } => first && request.id == *id,
                crate::refund::RefundEventKind::Approved { id: of, .. }
                | crate::refund::RefundEventKind::Declined { id: of, .. } => !first && of == id,
            },
            (StreamId::Contract(id), Event::Sla(e)) => matches!(
                &e.kind,
                crate::sla::SlaEventKind::ContractChanged { customer, .. } if customer == id
            ),
            (StreamId::Sla(_), Event::Sla(e)) => {
                // Every ticket's SLA record opens with the policy in force.
                !first || matches!(e.kind, crate::sla::SlaEventKind::PolicyApplied { .. })
            }
            _ => false,
        }
    }

    /// Refuses a decision, before anything is written, in which an id the
    /// caller chose collides with one the desk derives or already holds: a
    /// creation event for a stream that exists, a message, invitation,
    /// praise or post id that is taken or drafted twice. (Such a decision
    /// would be stored and then refused by every rebuild.)
    #[cfg(test)]
    pub(super) fn check_ids(&self, d: &Drafts) -> Result<(), DeskError> {
        let mut seen = Vec::new();
        for (stream, events) in d.ordered() {
            let base = self.version(stream);
            for ((_, event), i) in events.iter().zip(1u64..) {
                self.check_drafted(stream, base.saturating_add(i), event, &mut seen)?;
            }
        }
        no_repeats(seen)
    }

    /// Checks one drafted event at `version` of `stream` (see
    /// [`Desk::check_ids`]); the ids it introduces join `seen`.
    pub(super) fn check_drafted(
        &self,
        stream: &StreamId,
        version: u64,
        event: &Event,
        seen: &mut Vec<(&'static str, uuid::Uuid)>,
    ) -> Result<(), DeskError> {
        if !Self::holds(stream, version, event) {
            return Err(DeskError::AlreadyExists(*stream));
        }
        let (kind, id, taken): (_, _, &dyn Fn() -> bool) = match event {
            Event::Outbox(OutboxEvent {
                kind: OutboxEventKind::Queued { message },
                ..
            }) => ("message", message.id.as_uuid(), &|| {
                self.state.outbox.get(message.id).is_some()
            }),
            Event::Survey(crate::survey::SurveyEvent {
                kind: crate::survey::SurveyEventKind::Invited { invitation },
                ..
            }) => ("invitation", invitation.id.as_uuid(), &|| {
                self.state.surveys.contains(invitation.id)
            }),
            Event::Recognition(crate::recognition::RecognitionEvent {
                kind: crate::recognition::RecognitionEventKind::PraiseRecorded { praise },
                ..
            }) => ("praise", praise.id.as_uuid(), &|| {
                self.state.recognition.praise(praise.id).is_some()
            }),
            Event::Post(crate::guard::PostEvent {
                kind: crate::guard::PostEventKind::Submitted { post, .. },
                ..
            }) => ("post", post.id.as_uuid(), &|| {
                self.state.posts.get(post.id).is_some()
            }),
            _ => return Ok(()),
        };
        // Message ids are only ever derived, from an event id of this
        // decision: fresh by construction, in the form callers may not
        // choose (`check_caller_ids`), so the outbox (every message ever
        // sent) is not searched for them. Other kinds can be a caller's.
        let derived = kind == "message" && super::decision::is_derived(id);
        if !derived && taken() {
            return Err(DeskError::IdTaken { kind, id });
        }
        seen.push((kind, id));
        Ok(())
    }

    /// Routes one recorded event to the area that owns its stream.
    pub(super) fn apply_one(&mut self, r: &RecordedEvent) {
        let s = &mut self.state;
        s.position = s.position.max(r.position);
        if let Some(key) = &r.command {
            s.commands.record(key, r.position);
        }
        match (&r.stream, &r.event) {
            (StreamId::Customer(id), Event::Customer(e)) => {
                // The erased contact's words and addresses leave every
                // area, as the store's redaction removed them from the
                // record: a rebuilt desk holds the same.
                if let CustomerEventKind::ContactErased { contact, scope } = &e.kind {
                    // The contacts merged into them are the same person.
                    let merged = s
                        .customers
                        .get(*id)
                        .map(|c| c.merged_into(*contact))
                        .unwrap_or_default();
                    for source in merged {
                        s.erase_contact(*id, source, *scope);
                    }
                    s.erase_contact(*id, *contact, *scope);
                }
                if let CustomerEventKind::ArchiveErased {
                    invitations,
                    scope,
                    notes,
                    ..
                } = &e.kind
                {
                    s.erase_archived(*id, invitations, *scope, notes);
                }
                s.customers.apply(*id, e);
                // A customer merge: the source's credits and refunds are
                // on the target's account from then on.
                if let CustomerEventKind::Absorbed { source, .. } = &e.kind {
                    s.refunds.rehome(*source, *id);
                }
                // The customer's fields are what an automation's customer
                // conditions read: their tickets' timers follow them.
                self.note_customer_automations(*id);
                self.requeue_customer(*id, &e.kind);
            }
            (StreamId::Triage(id), Event::Triage(e)) => super::arrivals::apply_triage(s, *id, e),
            (StreamId::Agent(id), Event::Agent(e)) => {
                s.people.apply_agent(*id, e);
                self.note_agent_assignment(*id, e);
            }
            (StreamId::Team(id), Event::Team(e)) => s.people.apply_team(*id, e),
            (StreamId::Ticket(id), Event::Ticket(e)) => {
                s.tickets.apply(*id, e);
                self.note_ticket_assignment(*id, e, r.actor.as_ref());
                if !self.replaying {
                    self.archive_timer(*id);
                }
                self.note_automations(*id);
                self.requeue(*id);
            }
            (StreamId::Archive(_), Event::Ticket(e)) => {
                // A ticket archived already, listed again in the archive
                // of the customer its own was merged into, has nothing
                // left in memory to forget.
                if let TicketEventKind::Archived { ticket, .. } = &e.kind
                    && s.tickets.get(*ticket).is_some()
                {
                    self.forget_ticket(*ticket, e.at);
                    self.requeue(*ticket);
                }
            }
            (StreamId::Sla(id), Event::Sla(e)) => {
                let tickets = &s.tickets;
                let customer = || tickets.get(*id).map(Ticket::customer);
                for c in s.slas.apply(*id, customer, e, !self.replaying) {
                    self.timers.move_sla(c.key, c.from, c.to);
                }
                self.note_automations(*id);
                self.requeue(*id);
            }
            (StreamId::Outbox | StreamId::Message(_), Event::Outbox(e)) => {
                s.outbox.apply(r.position, e);
                if !self.replaying {
                    self.deliver_after(r.position, e);
                }
                // A message about a ticket archived while it was on its
                // way leaves memory once it settles.
                let settled = matches!(
                    e.kind,
                    OutboxEventKind::Delivered { .. } | OutboxEventKind::Abandoned { .. }
                );
                let id = e.kind.message();
                let archived = settled
                    && self
                        .state
                        .outbox
                        .get(id)
                        .and_then(|m| m.message.ticket)
                        .is_some_and(|t| self.state.tickets.get(t).is_none());
                if archived && self.state.outbox.forget_settled(id) {
                    self.state.versions.remove(&StreamId::Message(id));
                }
            }
            (StreamId::Surveys | StreamId::Invitations(_), Event::Survey(e)) => {
                s.surveys.apply(e);
                // A closed ticket is not archived before its invitations
                // expire unanswered: an invitation moves its archiving
                // later, an answer (no longer waited for) back to the end
                // of the window.
                // (A replay sets every timer once, at its end.)
                let ticket = match &e.kind {
                    _ if self.replaying => None,
                    crate::survey::SurveyEventKind::Invited { invitation } => invitation.ticket,
                    crate::survey::SurveyEventKind::Answered { invitation, .. } => {
                        s.surveys.get(*invitation).and_then(|r| r.invitation.ticket)
                    }
                };
                if let Some(t) = ticket {
                    self.archive_timer(t);
                }
            }
            (StreamId::Recognition | StreamId::Praise(_), Event::Recognition(e)) => {
                s.recognition.apply(e, self.config.recognition.remind_every);
                if let Some(praise) = e.kind.praise()
                    && !self.replaying
                {
                    let next = s.recognition.next_reminder(praise);
                    let due = next.map(|at| (at, TimerKind::PraiseReminder));
                    self.timers.set(Timer::Reminder(praise), due);
                }
            }
            (StreamId::Coaching | StreamId::Mistakes(_), Event::Coaching(e)) => {
                s.coaching.apply(e);
            }
            (StreamId::Posts, Event::Post(e)) => s.posts.apply(e),
            (StreamId::Crisis, Event::Crisis(e)) => {
                s.crises.apply(e);
                let crate::crisis::CrisisEventKind::Flagged { record } = &e.kind;
                // No automation runs on a crisis: its timer goes.
                self.note_automations(record.ticket);
                self.requeue(record.ticket);
            }
            (StreamId::Channels, Event::Channel(e)) => s.channels.apply(e),
            (StreamId::Incident(id), Event::Incident(e)) => {
                let next = s.incidents.apply(*id, e);
                if !self.replaying {
                    self.timers.set(Timer::Incident(*id), next);
                }
            }
            (StreamId::Trends, Event::Trend(e)) => s.trends.apply(e),
            (StreamId::Command(_), Event::Command(e)) => {
                s.commands.apply(r.position, r.schema, e);
            }
            (StreamId::Refund(_), Event::Refund(e)) => s.refunds.apply(e),
            (StreamId::Permissions, Event::Permission(e)) => {
                // A table recorded replaces the configured one.
                let crate::permission::PermissionEventKind::TableSet { table } = &e.kind;
                self.config.permissions = (**table).clone();
            }
            (StreamId::Fields, Event::Fields(e)) => s.fields.apply(e),
            (StreamId::Rules, Event::Rules(e)) => {
                // A set recorded replaces the configured one.
                match &e.kind {
                    crate::rules::RulesEventKind::TriggersSet { triggers } => {
                        self.config.triggers = triggers.clone();
                    }
                    crate::rules::RulesEventKind::MacrosSet { macros } => {
                        self.config.macros = macros.clone();
                    }
                    crate::rules::RulesEventKind::AutomationsSet { automations } => {
                        self.config.automations = automations.clone();
                        if !self.replaying {
                            let mut timers = std::mem::take(&mut self.timers);
                            for t in self.state.tickets.iter() {
                                timers.set(Timer::Automation(t.id()), None);
                            }
                            self.automation_timers(&mut timers);
                            self.timers = timers;
                        }
                    }
                }
            }
            (StreamId::Contract(id), Event::Sla(e)) => {
                // A contract set by command replaces the configured one.
                if let crate::sla::SlaEventKind::ContractChanged { contract, .. } = &e.kind {
                    match contract {
                        Some(c) => self.config.sla.contracts.insert(*id, (**c).clone()),
                        None => self.config.sla.contracts.remove(id),
                    };
                }
            }
            // `can_hold` refused every other pairing before anything was
            // applied.
            _ => {}
        }
    }

    /// Keeps the delivery queue and timers in step with an outbox event
    /// recorded at `position`.
    pub(super) fn deliver_after(&mut self, position: u64, e: &OutboxEvent) {
        match &e.kind {
            OutboxEventKind::Queued { message } => match message.deliver_after {
                // Its not-before instant wakes the desk; `poll_outbound`
                // queues it then (at once when that has passed).
                Some(at) => {
                    let due = Some((at, TimerKind::DeferredPage));
                    self.timers.set(Timer::Deferred(message.id), due);
                }
                None => {
                    self.ready.insert(position, message.id);
                }
            },
            OutboxEventKind::Delivered { id } | OutboxEventKind::Abandoned { id, .. } => {
                self.settle(*id, None);
            }
            OutboxEventKind::Failed { id, retry_at, .. } => {
                self.settle(*id, Some(*retry_at));
            }
        }
    }

    /// A message is delivered, given up on, or (with `retry`) waits to be
    /// tried again: its lease ends and it leaves the queue.
    pub(super) fn settle(&mut self, id: MessageId, retry: Option<DateTime<Utc>>) {
        if let Some(entry) = self.state.outbox.get(id) {
            self.ready.remove(&entry.queued_position);
        }
        self.timers.set(Timer::Lease(id), None);
        self.timers.set(Timer::Deferred(id), None);
        let retry = retry.map(|at| (at, TimerKind::DeliveryRetry));
        self.timers.set(Timer::Retry(id), retry);
    }
}

/// Refuses ids drafted twice in one decision.
pub(super) fn no_repeats(mut seen: Vec<(&'static str, uuid::Uuid)>) -> Result<(), DeskError> {
    seen.sort_unstable();
    match seen.windows(2).find(|w| w.first() == w.last()) {
        Some([(kind, id), _]) => Err(DeskError::IdTaken { kind, id: *id }),
        _ => Ok(()),
    }
}

impl State {
    /// Folds [`CustomerEventKind::ArchiveErased`]: the praise carried by
    /// an erased contact's archived invitations, and what quotes it or
    /// their answers, as the store's redaction erased them.
    fn erase_archived(
        &mut self,
        customer: CustomerId,
        invitations: &std::collections::BTreeSet<crate::id::InvitationId>,
        scope: crate::customer::ErasureScope,
        notes: &BTreeMap<TicketId, std::collections::BTreeSet<u32>>,
    ) {
        let words = scope.messages();
        let none = std::collections::BTreeSet::new();
        let author = crate::recognition::PraiseAuthor {
            customer,
            invitations,
            addresses: &none,
        };
        if words {
            let quoting = self.outbox.quoting(&self.recognition.words_of(&author));
            self.outbox.erase_bodies(&quoting);
            self.tickets.erase_notes(notes);
        }
        self.recognition.erase_praise_of(&author, words);
    }

    /// Folds a contact's erasure into every area but the customers' (which
    /// folds its own event after this, since it forgets the addresses
    /// used here): the same state a fold of the redacted record reaches.
    fn erase_contact(
        &mut self,
        customer: CustomerId,
        contact: ContactId,
        scope: crate::customer::ErasureScope,
    ) {
        let words = scope.messages();
        // Call-out tasks name them: their notes and subject go whatever
        // the scope (as `Erasure::call_outs` says).
        let call_outs =
            super::incident_spread::call_out_notes(&self.incidents, &self.tickets, contact);
        self.tickets.erase_notes(&call_outs);
        self.tickets.erase_messages_in(call_outs.keys(), contact);
        let addresses = self
            .customers
            .get(customer)
            .and_then(|c| c.contact(contact))
            .map(|c| c.addresses().iter().cloned().collect())
            .unwrap_or_default();
        let invitations = self.surveys.sent_to(contact);
        let author = crate::recognition::PraiseAuthor {
            customer,
            invitations: &invitations,
            addresses: &addresses,
        };
        if words {
            let quoting = self.outbox.quoting(&self.recognition.words_of(&author));
            self.outbox.erase_bodies(&quoting);
            let requested = self
                .tickets
                .of_customer(customer)
                .filter(|t| t.requester() == Some(contact))
                .map(crate::ticket::Ticket::id)
                .collect();
            let copies = self.outbox.copies_about(&requested, contact);
            self.outbox.erase_bodies(&copies);
            let comments = self.surveys.comments_of(contact);
            let notes = self.tickets.notes_quoting(customer, contact, &comments);
            self.tickets.erase_notes(&notes);
            self.tickets.erase_messages_of(customer, contact);
            self.surveys.erase_answers_of(contact);
        }
        self.recognition.erase_praise_of(&author, words);
        self.outbox.erase_contact(contact, words);
    }
}
