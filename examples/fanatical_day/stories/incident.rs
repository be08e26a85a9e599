//! The datacenter: a truck hits the power feed of DFW1; the incident, its
//! callers, its updates and its credits.

use std::collections::BTreeMap;

use chrono::Duration;
use fanatical::actor::Actor;
use fanatical::channel::Channel;
use fanatical::desk::IncidentAction;
use fanatical::desk::{Command, InboundMessage};
use fanatical::id::{ComponentId, TicketId};
use fanatical::incident::{Audience, Cadence, ComponentState, IncidentStatus, Messages};

use super::super::cast::{CROWD, Person};
use super::super::{Day, Result, hhmm, local};

impl Day {
    pub(crate) fn script_incident(&mut self) -> Result<()> {
        let c = self.cast;
        let incident = self.stories.incident;
        let dfw1 = ComponentId::new("dfw1")?;
        self.tell(local(9, 30), "a truck hits the power feed of DFW1");
        let components = BTreeMap::from([(dfw1.clone(), ComponentState::MajorOutage)]);
        self.at(local(9, 35), move |d, now| {
            d.exec(
                Command::new(Actor::Agent(c.rob), IncidentAction::Declare {
                    incident,
                    title: "DFW1 power loss".into(),
                    commander: c.rob,
                    status: IncidentStatus::Investigating,
                    components,
                    cadence: Some(Cadence::every_minutes(30, 5)?),
                    messages: Messages::from([
                        (
                            Audience::Technical,
                            "Utility power to DFW1 is lost; generators did not take the load. \
                             Servers are powering off."
                                .into(),
                        ),
                        (
                            Audience::Business,
                            "Sites hosted in DFW1 are down. We are restoring power; next update \
                             within 30 minutes."
                                .into(),
                        ),
                        (
                            Audience::Public,
                            "We are investigating a power problem in our DFW1 datacenter.".into(),
                        ),
                    ]),
                }),
                now,
            )?;
            let n = d.desk.incidents().get(incident).map_or(0, |i| i.affected().len());
            d.log.push((
                now,
                format!("incident declared: DFW1 power loss, {n} customers affected, updates every 30 min"),
            ));
            Ok(())
        });
        // Four affected customers call; the agent sees the briefing.
        let callers: Vec<Person> = self
            .people
            .iter()
            .skip(CROWD)
            .filter(|p| p.component.starts_with("dfw1"))
            .take(4)
            .cloned()
            .collect();
        for (k, p) in callers.into_iter().enumerate() {
            let t: TicketId = self.ids.next_id();
            let when = local(9, 40) + Duration::minutes(4 * k as i64);
            let customer = p.customer;
            self.inbound(
                when,
                InboundMessage::new(
                    t,
                    Channel::Phone,
                    p.phone,
                    "Our servers in DFW1 are unreachable",
                ),
            );
            self.at(when, move |d, now| {
                if let Some(b) = d.desk.incidents().briefings(customer, now).first()
                    && d.stories.briefing.is_empty()
                {
                    d.stories.briefing = format!(
                        "[{}] {} — {}; next update due {}",
                        b.status,
                        b.title,
                        b.latest
                            .as_ref()
                            .and_then(|u| u.messages.get(&Audience::Business))
                            .map_or("", String::as_str),
                        b.next_update_due.map(hhmm).unwrap_or_default()
                    );
                }
                Ok(())
            });
            self.answer(
                when + Duration::minutes(1),
                t,
                c.ana,
                "We know: DFW1 lost power and the team is on it. I've linked your ticket to the \
                 incident, so you'll hear the moment it's fixed.",
            );
        }
        self.at(local(9, 58), move |d, now| {
            // The desk offers every new ticket of an affected customer; the
            // agent links the ones about the outage, not the invoice questions.
            let tickets: Vec<TicketId> = d
                .desk
                .incidents()
                .unlinked_tickets(incident)
                .into_iter()
                .filter(|t| {
                    d.desk
                        .tickets()
                        .get(*t)
                        .is_some_and(|t| t.subject().contains("unreachable"))
                })
                .collect();
            d.exec(
                Command::new(
                    Actor::integration("incident-console"),
                    IncidentAction::LinkTickets {
                        incident,
                        tickets: tickets.clone(),
                    },
                ),
                now,
            )?;
            d.log.push((
                now,
                format!(
                    "{} tickets from affected customers linked to the incident",
                    tickets.len()
                ),
            ));
            d.stories.incident_callers = tickets;
            Ok(())
        });
        // Updates: on time, then late (the cadence pages the commander),
        // then the resolution that solves every linked ticket.
        // The 09:55 update spreads the incident: failover traffic from
        // DFW1 has overloaded LON3, whose customers are brought in (they
        // get this update and every one after, their downtime counts from
        // now toward credits, and they are followed up).
        let lon3 = ComponentId::new("lon3")?;
        for (h, m, status, state, business, technical) in [
            (
                9,
                55,
                IncidentStatus::Identified,
                ComponentState::MajorOutage,
                "The cause is known: utility power. Generators are being brought online by hand. \
                 Failover traffic from DFW1 has also overloaded LON3: sites there are down until \
                 DFW1 is back.",
                "ATS 2 failed to transfer; generators started manually, load transfer at 10:20. \
                 LON3 edge routers saturated by DFW1 failover; traffic shedding in progress.",
            ),
            (
                10,
                41,
                IncidentStatus::Monitoring,
                ComponentState::PartialOutage,
                "Power is back for most racks; servers are booting.",
                "Generators carry the load; 80% of racks powered, chillers at full capacity.",
            ),
            (
                11,
                5,
                IncidentStatus::Resolved,
                ComponentState::Operational,
                "Every server in DFW1 is back. We are sorry; a credit follows.",
                "All racks on utility power; ATS 2 replaced; post-incident review on Thursday.",
            ),
        ] {
            let mut components = BTreeMap::from([(dfw1.clone(), state)]);
            if (h, m) == (9, 55) {
                components.insert(lon3.clone(), ComponentState::MajorOutage);
            }
            self.at(local(h, m), move |d, now| {
                d.exec(
                    Command::new(
                        Actor::Agent(c.rob),
                        IncidentAction::Update {
                            incident,
                            status,
                            components,
                            messages: Messages::from([
                                (Audience::Business, business.into()),
                                (Audience::Technical, technical.into()),
                            ]),
                            spokesperson: None,
                            solve_linked: (status == IncidentStatus::Resolved).then(|| {
                                "DFW1 has power again and your servers are back. We're sorry — a \
                             credit is on its way."
                                    .into()
                            }),
                        },
                    ),
                    now,
                )?;
                let joined = d
                    .desk
                    .incidents()
                    .get(incident)
                    .map_or(0, |i| i.joined().len());
                if (h, m) == (9, 55) {
                    d.log.push((
                        now,
                        format!(
                            "incident update: {status}; it spreads to LON3 and {joined} more \
                             customers are brought in"
                        ),
                    ));
                } else {
                    d.log.push((now, format!("incident update: {status}")));
                }
                Ok(())
            });
        }
        self.at(local(11, 15), move |d, now| {
            d.exec(
                Command::new(
                    Actor::integration("billing"),
                    IncidentAction::IssueCredits { incident },
                ),
                now,
            )?;
            let n = d
                .desk
                .incidents()
                .get(incident)
                .map_or(0, |i| i.credits().len());
            d.log
                .push((now, format!("credits issued to {n} customers")));
            Ok(())
        });
        Ok(())
    }
}
