//! Running a trigger set on one ticket without a desk: to test rules, and
//! to check that a set ends where it should.
//!
//! Only the actions that change the ticket alone run here (status,
//! priority, type, assignee, team, tags, fields, CCs, followers); replies,
//! pages and escalations reach people, and the desk decides them. A
//! trigger an action of which the ticket refuses keeps nothing, as on the
//! desk.

use chrono::{DateTime, Utc};

use crate::actor::Actor;
use crate::field::FieldValues;
use crate::sla::TicketSla;
use crate::ticket::{Status, Ticket, TicketRules};

use super::{Changes, RuleAction, RuleName, Subject, Trigger, TriggerSet};

/// One ticket and what just happened to it: what a trigger set runs on.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The ticket as the command left it.
    pub ticket: Ticket,
    /// Its SLA.
    pub sla: Option<TicketSla>,
    /// Its customer's field values.
    pub customer_fields: FieldValues,
    /// Who made the change.
    pub actor: Actor,
    /// What the command changed.
    pub changes: Changes,
    /// When.
    pub now: DateTime<Utc>,
}

/// Where a run ended.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The ticket as the triggers left it.
    pub ticket: Ticket,
    /// What changed, the command's changes and the triggers'.
    pub changes: Changes,
    /// The triggers that changed something, in the order they did (one
    /// may appear more than once in a refiring run).
    pub fired: Vec<RuleName>,
    /// The triggers an action of which the ticket refused.
    pub failed: Vec<RuleName>,
}

/// A run that allows refiring did not settle: the triggers kept changing
/// the ticket pass after pass.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the triggers did not settle after {passes} passes; the last pass fired {}", names(.last_pass))]
pub struct Unsettled {
    /// How many passes ran.
    pub passes: usize,
    /// What the last pass fired.
    pub last_pass: Vec<RuleName>,
}

fn names(v: &[RuleName]) -> String {
    v.iter()
        .map(|n| format!("{:?}", n.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

impl TriggerSet {
    /// Runs the set on a scenario as the desk does: each active trigger
    /// once, in run order, seeing what the command and the triggers
    /// before it changed. Not on a closed ticket.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use fanatical::actor::Actor;
    /// use fanatical::channel::Channel;
    /// use fanatical::field::FieldValues;
    /// use fanatical::id::IdGenerator;
    /// use fanatical::rules::{Change, Changes, Condition, RuleAction, Scenario, Trigger, TriggerSet};
    /// use fanatical::ticket::{Author, OpenTicket, Priority, Tag, Ticket, TicketRules};
    ///
    /// let mut ids = IdGenerator::from_seed(1);
    /// let now = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    /// let (ticket, customer, jane) = (ids.next_id(), ids.next_id(), ids.next_id());
    /// let vip = Tag::new("vip")?;
    /// let opened = Ticket::open(OpenTicket::new(ticket, customer, "Down", Channel::Email)
    ///     .with_message(Author::Contact(jane), "We are down").with_tag(vip.clone()),
    ///     &TicketRules::default(), now)?;
    /// let mut changes = Changes::new();
    /// opened.iter().for_each(|e| changes.record_ticket(&e.kind));
    /// let set = TriggerSet::new(vec![
    ///     Trigger::new("vip first", [RuleAction::SetPriority(Priority::High)])?
    ///         .when(Condition::Changed(Change::Created))
    ///         .when(Condition::HasTag(vip)),
    /// ])?;
    /// let scenario = Scenario {
    ///     ticket: Ticket::from_events(&opened).unwrap(),
    ///     sla: None,
    ///     customer_fields: FieldValues::new(),
    ///     actor: Actor::Contact(jane),
    ///     changes,
    ///     now,
    /// };
    /// let out = set.run(&scenario);
    /// assert_eq!(out.ticket.priority(), Priority::High);
    /// assert_eq!(out.fired[0].as_str(), "vip first");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// Only the triggers that can fire on what changed are evaluated: a
    /// trigger needing a change (`Changed` among its `all` conditions)
    /// is looked at only once that change has happened, in the command
    /// or by a trigger before it.
    #[must_use]
    pub fn run(&self, scenario: &Scenario) -> Outcome {
        let mut out = start(scenario);
        let mut candidates = self.candidates();
        while let Some((_, t)) = candidates.next(&out.changes) {
            if out.ticket.status() == Status::Closed {
                break;
            }
            step(t, scenario, &mut out);
        }
        out
    }

    /// [`TriggerSet::run`] evaluating every active trigger in run order,
    /// without the index by what they watch: what `run` must agree with.
    #[cfg(any(test, feature = "proptest"))]
    #[must_use]
    pub fn run_scanning(&self, scenario: &Scenario) -> Outcome {
        let mut out = start(scenario);
        for (_, t) in self.in_run_order() {
            if out.ticket.status() == Status::Closed {
                break;
            }
            step(t, scenario, &mut out);
        }
        out
    }

    /// Runs the set allowing what the desk never does: after a first pass
    /// as [`TriggerSet::run`], passes repeat, each firing every trigger
    /// whose conditions hold and whose actions would change the ticket,
    /// until a pass changes nothing. A set that validates settles after
    /// its first pass: nothing a trigger changes is read by a trigger run
    /// before it. A set with a loop (built without validation, for tests)
    /// may never settle.
    ///
    /// # Errors
    /// [`Unsettled`] when `max_passes` passes did not settle.
    pub fn run_refiring(
        &self,
        scenario: &Scenario,
        max_passes: usize,
    ) -> Result<Outcome, Unsettled> {
        let mut out = self.run(scenario);
        let mut last_pass = out.fired.clone();
        for _ in 1..max_passes.max(1) {
            let mut fired = Vec::new();
            for (_, t) in self.in_run_order() {
                if out.ticket.status() == Status::Closed {
                    break;
                }
                if step(t, scenario, &mut out) {
                    fired.push(t.name.clone());
                }
            }
            if fired.is_empty() {
                return Ok(out);
            }
            last_pass = fired;
        }
        Err(Unsettled {
            passes: max_passes.max(1),
            last_pass,
        })
    }

    /// A set built without its checks, for testing checkers on a broken
    /// set (its run order is position order). Never give one to a desk.
    #[cfg(any(test, feature = "proptest"))]
    #[must_use]
    pub fn unchecked(triggers: Vec<Trigger>) -> Self {
        let order = (0..triggers.len()).collect();
        TriggerSet::from_parts(triggers, order)
    }
}

fn start(scenario: &Scenario) -> Outcome {
    Outcome {
        ticket: scenario.ticket.clone(),
        changes: scenario.changes.clone(),
        fired: Vec::new(),
        failed: Vec::new(),
    }
}

/// Fires `t` when its conditions hold; whether it changed the ticket.
fn step(t: &Trigger, scenario: &Scenario, out: &mut Outcome) -> bool {
    let subject = Subject {
        ticket: &out.ticket,
        sla: scenario.sla.as_ref(),
        customer_fields: &scenario.customer_fields,
        actor: &scenario.actor,
        changes: &out.changes,
        now: scenario.now,
    };
    if !t.matches(&subject) {
        return false;
    }
    let rules = TicketRules::default();
    let mut scratch = out.ticket.clone();
    let mut events = Vec::new();
    for a in &t.actions {
        let command = match a {
            RuleAction::AssignToActor => scenario
                .actor
                .agent()
                .map(|agent| crate::ticket::TicketCommand::Assign(Some(agent))),
            _ => a.ticket_command(),
        };
        let Some(command) = command else {
            continue;
        };
        match scratch.handle_with(command, &rules, scenario.now) {
            Ok(more) => {
                for e in &more {
                    scratch.apply(e);
                }
                events.extend(more);
            }
            Err(_) => {
                out.failed.push(t.name.clone());
                return false;
            }
        }
    }
    if events.is_empty() {
        return false;
    }
    for e in &events {
        out.changes.record_ticket(&e.kind);
    }
    out.ticket = scratch;
    out.fired.push(t.name.clone());
    true
}
