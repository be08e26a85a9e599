//! The desk's automations (see [`crate::rules::Automation`]): each open
//! ticket has one timer, at the instant its next automation falls due,
//! kept as its events are applied; when it fires, the automations due on
//! it run in position order, each once per due instant, recorded
//! ([`TicketEventKind::AutomationRan`]) with their changes. Work per
//! `handle_timeout` is proportional to the tickets due, never a scan.

#![allow(clippy::wildcard_imports)]

use super::triggers::Rule;
use super::*;
use crate::rules::{Automation, AutomationSet, Changes, Subject};
use crate::sla::TicketSla;

/// When a timer falls due, and why.
type Due = (DateTime<Utc>, TimerKind);

/// Keeps automations' pages apart from triggers' (by position) on one
/// event.
const AUTOMATION_PAGES: u64 = 1 << 31;

impl Desk {
    /// When `t`'s next automation falls due, while its conditions hold
    /// now, and it has not run for that instant.
    pub(super) fn automation_due(&self, t: &Ticket) -> Option<(DateTime<Utc>, TimerKind)> {
        if self.config.automations.is_empty()
            || t.status() == Status::Closed
            || self.is_crisis(t.id())
        {
            return None;
        }
        let customer = self.customer(t.customer())?;
        let sla = self.state.slas.get(t.id());
        self.config
            .automations
            .active()
            .filter_map(|a| due_for(a, t, sla, customer))
            .min()
            .map(|at| (at, TimerKind::Automation))
    }

    /// Keeps a ticket's automation timer in step with it.
    pub(super) fn note_automations(&mut self, id: TicketId) {
        // Without automations no ticket has a timer (a set replaced by an
        // empty one clears them all when it is applied): nothing to do on
        // the hot path of every ticket event.
        if self.replaying || self.config.automations.is_empty() {
            return;
        }
        let due = self
            .state
            .tickets
            .get(id)
            .and_then(|t| self.automation_due(t));
        self.timers.set(Timer::Automation(id), due);
    }

    /// Keeps the automation timers of a customer's tickets in step with
    /// the customer (its fields, read by customer conditions), so a timer
    /// never falls due on a ticket where nothing is due: each timer is
    /// where `decide_automations` would find something to run.
    pub(super) fn note_customer_automations(&mut self, customer: CustomerId) {
        if self.replaying || self.config.automations.is_empty() {
            return;
        }
        let due: Vec<(TicketId, Option<Due>)> = self
            .state
            .tickets
            .of_customer(customer)
            .map(|t| (t.id(), self.automation_due(t)))
            .collect();
        for (id, at) in due {
            self.timers.set(Timer::Automation(id), at);
        }
    }

    /// The automation timers of a desk rebuilt or restored.
    pub(super) fn automation_timers(&self, timers: &mut TimerTable) {
        if self.config.automations.is_empty() {
            return;
        }
        for t in self.state.tickets.iter() {
            timers.set(Timer::Automation(t.id()), self.automation_due(t));
        }
    }

    /// Runs the automations due at `now` on `tickets`.
    pub(super) fn decide_automations(
        &self,
        d: &mut Drafts,
        tickets: &[TicketId],
        now: DateTime<Utc>,
    ) {
        for &id in tickets {
            if self.is_crisis(id) {
                continue;
            }
            for (position, a) in self.config.automations.active().enumerate() {
                let Some(t) = self.ticket_as_drafted(d, id) else {
                    break;
                };
                let Some(customer) = self.customer(t.customer()) else {
                    break;
                };
                if t.status() == Status::Closed {
                    break;
                }
                let sla = self.sla_as_drafted(d, id, t.customer());
                let Some(due) = due_for(a, &t, sla.as_ref(), customer).filter(|at| *at <= now)
                else {
                    continue;
                };
                d.act_for(Cause::Rule(a.name().to_string()));
                let rule = Rule {
                    name: a.name(),
                    actions: &a.actions,
                    page_salt: AUTOMATION_PAGES | u64::try_from(position).unwrap_or(0),
                    acting: None,
                    applied_by: None,
                };
                let ran = TicketEvent {
                    at: now,
                    kind: TicketEventKind::AutomationRan {
                        rule: a.name().to_string(),
                        due,
                    },
                };
                self.fire_all_or_nothing(d, &rule, &t, sla.as_ref(), customer, vec![ran], now);
            }
        }
    }

    /// Checks the automations name what the desk has, as triggers must.
    pub(super) fn check_automations(&self, set: &AutomationSet) -> Result<(), Error> {
        set.check().map_err(crate::rules::RulesError::from)?;
        for a in set.automations() {
            self.check_rule(a.name(), a.all.iter().chain(&a.any), &a.actions)?;
        }
        Ok(())
    }
}

/// When `a` falls due on `t`, if it has not run for that instant and its
/// conditions hold then.
fn due_for(
    a: &Automation,
    t: &Ticket,
    sla: Option<&TicketSla>,
    customer: &Customer,
) -> Option<DateTime<Utc>> {
    let due = a.when.due(t, sla)?;
    if t.automation_ran(a.name().as_str()) == Some(due) {
        return None;
    }
    let actor = Actor::System(Cause::Timer(TimerKind::Automation));
    let changes = Changes::new();
    let subject = Subject {
        ticket: t,
        sla,
        customer_fields: customer.fields(),
        actor: &actor,
        changes: &changes,
        now: due,
    };
    a.matches(&subject).then_some(due)
}
