//! The timer side of the run loop: when the desk next needs to wake,
//! and what fires when it does.

#![allow(clippy::wildcard_imports)]

use super::*;

impl Desk {
    /// The next instant at which something becomes due: an SLA warning or
    /// breach (promises included), a praise-acknowledgement reminder, an
    /// incident update falling due or overdue, a failed delivery's retry,
    /// or a delivery lease running out. `None` when nothing is waiting.
    /// Sleep until then (or the next inbound message), then call
    /// [`Desk::handle_timeout`] and drain [`Desk::poll_outbound`].
    ///
    /// ```
    /// use chrono::{Duration, TimeZone, Utc};
    /// use fanatical::prelude::*;
    /// use fanatical::sla::{Clock, Conditions, Metric, SlaConfig, SlaPolicies, SlaPolicy, Target};
    ///
    /// let now = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    /// let (mut ids, mut store) = (IdGenerator::from_seed(3), MemoryStore::new());
    /// let hour = Target::new(Metric::FirstResponse, Duration::hours(1), Clock::Always);
    /// let policies = SlaPolicies::new(vec![SlaPolicy::new("standard", Conditions::any(), vec![hour])])?;
    /// let mut desk = Desk::new(DeskConfig::default().with_sla(SlaConfig::new(policies)));
    /// assert_eq!(desk.poll_timeout(), None, "nothing is waiting");
    /// let (acme, jane, ticket) = (ids.next_id(), ids.next_id(), ids.next_id());
    /// let email = ChannelAddress::email("jane@acme.example")?;
    /// desk.execute(&mut store, Command::new(Actor::integration("setup"), CustomerAction::Register { id: acme, organisation: "Acme".into() }), now)?;
    /// desk.execute(&mut store, Command::new(Actor::integration("setup"), CustomerAction::Update { customer: acme, command: CustomerCommand::AddContact {
    ///     contact: jane, name: "Jane".into(), addresses: vec![email.clone()] } }), now)?;
    /// desk.execute(&mut store, Command::new(Actor::integration("inbound"), TicketAction::Receive(InboundMessage::new(ticket, Channel::Email, email, "Help"))), now)?;
    /// // The first response is due within the hour: its clock is running.
    /// assert_eq!(desk.poll_timeout(), Some(now + Duration::hours(1)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn poll_timeout(&self) -> Option<DateTime<Utc>> {
        self.timers.next().map(|n| n.at)
    }

    /// The next timer, and why it will wake the desk (an SLA deadline, an
    /// incident's cadence, a retry, a lease, ...): what a service logs when
    /// it wakes. O(1).
    #[must_use]
    pub fn next_timer(&self) -> Option<NextTimer> {
        self.timers.next()
    }

    /// Decides every timer due at or before `now`: SLA warnings and
    /// breaches, praise-acknowledgement reminders, and incident cadence
    /// warnings and follow-ups. Costs O(due · log n); decides nothing when
    /// nothing is due, so it is safe to call as often as you like. Persist
    /// and apply it like any [`Decision`] (async callers), or call
    /// [`Desk::handle_timeout`], which does all three.
    ///
    /// Every id a timer introduces (a page's message, an incident
    /// follow-up's invitation) is derived in the form callers may not
    /// choose ([`DeskError::ReservedId`]), so a timer never finds its id
    /// taken and never has to be refused.
    #[must_use]
    pub fn decide_timeouts(&self, now: DateTime<Utc>) -> Decision {
        let mut d = Drafts::system(Cause::Timer(TimerKind::Sla));
        let mut due: BTreeMap<TicketId, Vec<TimerKey>> = BTreeMap::new();
        let mut reminders = Vec::new();
        let mut incidents = Vec::new();
        let mut archive = Vec::new();
        let mut waiting = Vec::new();
        let mut absences = Vec::new();
        let mut automations = Vec::new();
        for timer in self.timers.due(now) {
            match timer {
                Timer::Sla(key) => due.entry(key.ticket).or_default().push(key),
                Timer::Reminder(praise) => reminders.push(praise),
                Timer::Incident(incident) => incidents.push(incident),
                Timer::Archive(ticket) => archive.push(ticket),
                Timer::Assignment(ticket) => waiting.push(ticket),
                Timer::Absence(agent) => absences.push(agent),
                Timer::Automation(ticket) => automations.push(ticket),
                Timer::Retry(_) | Timer::Lease(_) | Timer::Deferred(_) => {}
            }
        }
        for (ticket, keys) in due {
            if let Some(sla) = self.state.slas.get(ticket) {
                d.push(
                    StreamId::Sla(ticket),
                    sla.fire(&keys, now).into_iter().map(Event::Sla),
                );
            }
        }
        d.act_for(Cause::Timer(TimerKind::PraiseReminder));
        self.decide_reminders(&mut d, &reminders, now);
        self.decide_incident_timers(&mut d, &incidents, now);
        d.act_for(Cause::Timer(TimerKind::Archive));
        self.decide_archival(&mut d, &archive, now);
        self.decide_assignment_timers(&mut d, &waiting, &absences, now);
        self.decide_automations(&mut d, &automations, now);
        // The desk's triggers, on every ticket the timers changed (an SLA
        // warning or breach). A trigger whose action is refused is
        // recorded as failed: nothing here is refused.
        self.run_triggers(&mut d, now);
        d.finish(self)
    }

    /// Fires every timer due at or before `now` (see
    /// [`Desk::decide_timeouts`]): decides, persists and applies. A no-op
    /// when nothing is due; each breach is recorded once however often
    /// this is called.
    ///
    /// # Errors
    /// Store errors (the desk is then unchanged).
    ///
    /// ```
    /// use chrono::{Duration, TimeZone, Utc};
    /// use fanatical::prelude::*;
    /// use fanatical::sla::{Clock, Conditions, Metric, SlaConfig, SlaPolicies, SlaPolicy, Target};
    ///
    /// let now = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    /// let hour = Target::new(Metric::FirstResponse, Duration::hours(1), Clock::Always);
    /// let policies = SlaPolicies::new(vec![SlaPolicy::new("standard", Conditions::any(), vec![hour])])?;
    /// let mut desk = Desk::new(DeskConfig::default().with_sla(SlaConfig::new(policies)));
    /// let (mut ids, mut store) = (IdGenerator::from_seed(2), MemoryStore::new());
    /// let (acme, jane, ticket) = (ids.next_id(), ids.next_id(), ids.next_id());
    /// let email = ChannelAddress::email("jane@acme.example")?;
    /// desk.execute(&mut store, Command::new(Actor::integration("setup"), CustomerAction::Register { id: acme, organisation: "Acme".into() }), now)?;
    /// desk.execute(&mut store, Command::new(Actor::integration("setup"), CustomerAction::Update { customer: acme, command: CustomerCommand::AddContact {
    ///     contact: jane, name: "Jane".into(), addresses: vec![email.clone()] } }), now)?;
    /// desk.execute(&mut store, Command::new(Actor::integration("inbound"), TicketAction::Receive(InboundMessage::new(ticket, Channel::Email, email, "Help"))), now)?;
    /// // Nobody answers: at the deadline the breach is recorded, once.
    /// let due = desk.poll_timeout().unwrap();
    /// assert_eq!(desk.handle_timeout(&mut store, due)?.len(), 1);
    /// assert!(desk.handle_timeout(&mut store, due)?.is_empty());
    /// assert!(desk.tickets().sla(ticket).unwrap().metrics()[0].breached.is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn handle_timeout<S: Store + ?Sized>(
        &mut self,
        store: &mut S,
        now: DateTime<Utc>,
    ) -> Result<Vec<RecordedEvent>, Error> {
        let decision = self.decide_timeouts(now);
        if decision.is_empty() {
            return Ok(Vec::new());
        }
        self.persist(store, &decision)
    }
}
