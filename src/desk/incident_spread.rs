//! Incidents that spread and speak: customers who join a running
//! incident (an update takes down a component they run on, or they start
//! running on one that is down), call-out tasks for contacts only a
//! person can phone, the press list, and the post-incident write-up.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use super::decision::message_of;
use super::{Desk, Drafts, outbox};
use crate::channel::{Channel, ChannelAddress, ChannelKind};
use crate::customer::{ContactRole, Customer};
use crate::error::Error;
use crate::event::{Event, StreamId};
use crate::id::{AgentId, ComponentId, ContactId, CustomerId, EventId, IncidentId};
use crate::incident::IncidentStatus;
use crate::incident::{
    Audience, CallOut, ComponentState, Incident, IncidentError, IncidentEvent, IncidentEventKind,
    JoinCause, Messages,
};
use crate::outbox::{OutboundMessage, OutboxEventKind, Recipient};
use crate::sla::{TicketSla, react};
use crate::template::{Locale, TemplateName};
use crate::ticket::{OpenTicket, Tag, Ticket, TicketCommand, TicketType};

/// Message salts of the press list and the write-up, apart from the
/// contacts' messages (numbered from 1) of the same event.
const PRESS: u64 = 0x7072_6573_0000;

/// Who an incident's messages come from, for call-outs and signatures.
pub(super) struct Voice<'a> {
    pub(super) incident: IncidentId,
    pub(super) title: &'a str,
    pub(super) commander: AgentId,
    pub(super) spokesperson: Option<AgentId>,
    /// A post-incident review's what happened and prevention: its notice
    /// is the review's, in each reader's locale.
    pub(super) review: Option<(&'a str, &'a str)>,
}

impl Desk {
    /// The line naming the spokesperson under a text, if one is named,
    /// in `locale`.
    pub(super) fn signature(
        &self,
        spokesperson: Option<AgentId>,
        locale: Option<&Locale>,
    ) -> String {
        spokesperson.map_or_else(String::new, |a| {
            self.config.templates.text(
                TemplateName::IncidentSignature,
                locale,
                &[("name", &self.state.people.name_of(a))],
            )
        })
    }

    /// An incident notice for a reader of `locale`: the status (if any),
    /// the title, `text` (the incident team's words for that reader, or
    /// the review's), the spokesperson's signature.
    pub(super) fn notice(
        &self,
        locale: Option<&Locale>,
        voice: &Voice<'_>,
        status: Option<IncidentStatus>,
        text: &str,
    ) -> String {
        let t = &self.config.templates;
        let (title, message) = match voice.review {
            Some((what_happened, prevention)) => (
                t.text(
                    TemplateName::IncidentReviewTitle,
                    locale,
                    &[("title", voice.title)],
                ),
                t.text(
                    TemplateName::IncidentReviewText,
                    locale,
                    &[("what_happened", what_happened), ("prevention", prevention)],
                ),
            ),
            None => (voice.title.to_owned(), text.to_owned()),
        };
        t.text(
            TemplateName::IncidentNotice,
            locale,
            &[
                ("status", &self.status_text(status, locale)),
                ("title", &title),
                ("message", &message),
                ("signature", &self.signature(voice.spokesperson, locale)),
            ],
        )
    }

    /// Customers not yet in `i` running on a component that `states`
    /// (its components after an update) has down, with that component.
    pub(super) fn spread_to(
        &self,
        i: &Incident,
        states: &BTreeMap<ComponentId, ComponentState>,
    ) -> BTreeMap<CustomerId, ComponentId> {
        let catalog = &self.config.incidents.components;
        self.state
            .customers
            .iter()
            .filter(|c| !i.affected().contains(&c.id()))
            .filter_map(|c| {
                c.components()
                    .iter()
                    .find(|r| {
                        states
                            .iter()
                            .any(|(k, s)| *s != ComponentState::Operational && catalog.covers(k, r))
                    })
                    .map(|r| (c.id(), r.clone()))
            })
            .collect()
    }

    /// A customer starting to run on `component` joins every running
    /// incident that has it down: the event records it, and their
    /// contacts get the latest update as a catch-up (call-outs for those
    /// only a person can phone).
    pub(super) fn join_on_run(
        &self,
        d: &mut Drafts,
        customer: &Customer,
        component: &ComponentId,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let catalog = &self.config.incidents.components;
        let joins: Vec<&Incident> = self
            .active_incidents()
            .filter(|i| !i.affected().contains(&customer.id()))
            .filter(|i| {
                i.components()
                    .iter()
                    .any(|(k, s)| *s != ComponentState::Operational && catalog.covers(k, component))
            })
            .collect();
        for i in joins {
            let stream = StreamId::Incident(i.id());
            let joined = BTreeMap::from([(customer.id(), component.clone())]);
            let events = self.join_events(d, i, joined, JoinCause::RanOn, true, now)?;
            d.push(stream, events.into_iter().map(Event::Incident));
        }
        Ok(())
    }

    /// The events recording customers who join `i`, in order, to be
    /// pushed next on its stream. With `catch_up`, each one's contacts get
    /// the latest update (call-outs for those only a person can phone);
    /// without, the update that brought them in reaches them.
    pub(super) fn join_events(
        &self,
        d: &mut Drafts,
        i: &Incident,
        joined: BTreeMap<CustomerId, ComponentId>,
        cause: JoinCause,
        catch_up: bool,
        now: DateTime<Utc>,
    ) -> Result<Vec<IncidentEvent>, Error> {
        let stream = StreamId::Incident(i.id());
        let (messages, spokesperson) = i
            .latest()
            .map(|u| (u.messages.clone(), u.spokesperson))
            .unwrap_or_default();
        let voice = Voice {
            incident: i.id(),
            title: i.title(),
            commander: i.commander(),
            spokesperson,
            review: None,
        };
        let mut events = Vec::new();
        for ((customer, component), ahead) in joined.into_iter().zip(1u64..) {
            let (unreachable, call_outs) = if catch_up {
                let event_id = d.event_id(self, &stream, ahead);
                let only = BTreeSet::from([customer]);
                let (queued, missed) =
                    self.keep_in_the_loop(event_id, &only, &voice, i.status(), &messages, now);
                d.push_outbox(queued);
                let call_outs = self.call_outs(d, &voice, &missed, &messages, now)?;
                (missed.into_iter().map(|(_, c)| c).collect(), call_outs)
            } else {
                (Vec::new(), Vec::new())
            };
            events.push(IncidentEvent {
                at: now,
                kind: IncidentEventKind::CustomerJoined {
                    customer,
                    component,
                    cause,
                    unreachable,
                    call_outs,
                },
            });
        }
        Ok(events)
    }

    /// A call-out task for each contact in `missed` that a person can
    /// phone (a phone or video address): a task ticket on their customer,
    /// assigned to the configured call-out owner (else the commander),
    /// whose note names the contact, the number and what to tell them.
    /// One task per contact and incident: a later update adds a note to
    /// it while it is open.
    pub(super) fn call_outs(
        &self,
        d: &mut Drafts,
        voice: &Voice<'_>,
        missed: &[(CustomerId, ContactId)],
        messages: &Messages,
        now: DateTime<Utc>,
    ) -> Result<Vec<CallOut>, Error> {
        let owner = self
            .config
            .incidents
            .call_out_owner
            .filter(|a| self.active_agent(*a).is_ok())
            .unwrap_or(voice.commander);
        let rules = &self.config.ticket_rules;
        let mut out = Vec::new();
        for &(customer, contact) in missed {
            let Some(c) = self.customer(customer) else {
                continue;
            };
            let Some(person) = c.contacts().find(|p| p.id() == contact) else {
                continue;
            };
            let Some(number) = person
                .addresses()
                .iter()
                .find(|a| matches!(a.kind(), ChannelKind::Phone | ChannelKind::Video))
            else {
                continue;
            };
            let technical = person.roles().contains(&ContactRole::Technical);
            let text = audience_text(messages, technical).map_or("", String::as_str);
            let (how, number) = match number {
                ChannelAddress::Video(v) => (TemplateName::IncidentCallVideo, v.as_str()),
                ChannelAddress::Phone(v) => (TemplateName::IncidentCallPhone, v.as_str()),
                _ => continue,
            };
            let note = self.text(
                how,
                &[
                    ("name", person.name()),
                    ("organisation", c.organisation()),
                    ("number", number),
                    ("title", voice.title),
                    ("message", text),
                    ("signature", &self.signature(voice.spokesperson, None)),
                ],
            );
            let ticket = voice.incident.call_out_ticket(contact);
            if let Some(t) = self.ticket(ticket) {
                if t.status().is_unsolved() {
                    let events = t.handle_with(
                        TicketCommand::Note {
                            agent: owner,
                            body: note,
                            attachments: Vec::new(),
                        },
                        rules,
                        now,
                    )?;
                    self.finish_ticket(d, t, c, events, now, false)?;
                }
                out.push(CallOut {
                    customer,
                    contact,
                    ticket,
                    owner: t.assignee().unwrap_or(owner),
                });
                continue;
            }
            // Called before, and the task since archived: not again.
            if self.version(&StreamId::Ticket(ticket)) > 0 {
                continue;
            }
            let mut open = OpenTicket::new(
                ticket,
                customer,
                &self.text(
                    TemplateName::IncidentCallSubject,
                    &[("name", person.name()), ("title", voice.title)],
                ),
                Channel::Phone,
            )
            .requested_by(contact)
            .with_type(TicketType::Task);
            if let Ok(tag) = Tag::new("incident-call-out") {
                open = open.with_tag(tag);
            }
            let mut events = Ticket::open(open, rules, now)?;
            let mut t =
                Ticket::from_events(&events).ok_or(super::DeskError::UnknownTicket(ticket))?;
            for cmd in [
                TicketCommand::Assign(Some(owner)),
                TicketCommand::Note {
                    agent: owner,
                    body: note,
                    attachments: Vec::new(),
                },
            ] {
                let more = t.handle_with(cmd, rules, now)?;
                for e in &more {
                    t.apply(e);
                }
                events.extend(more);
            }
            let sla_events = react(None, &events, customer, &self.config.sla, now);
            let mut sla = TicketSla::new(ticket, customer);
            for e in &sla_events {
                sla.apply(e);
            }
            d.push(
                StreamId::Ticket(ticket),
                events.into_iter().map(Event::Ticket),
            );
            d.push(
                StreamId::Sla(ticket),
                sla_events.into_iter().map(Event::Sla),
            );
            out.push(CallOut {
                customer,
                contact,
                ticket,
                owner,
            });
        }
        Ok(out)
    }

    /// The press text (else the public one) to every address of the
    /// press list.
    pub(super) fn brief_press(
        &self,
        event: EventId,
        voice: &Voice<'_>,
        status: Option<IncidentStatus>,
        messages: &Messages,
        now: DateTime<Utc>,
    ) -> Vec<Event> {
        let Some(text) = messages
            .get(&Audience::Press)
            .or_else(|| messages.get(&Audience::Public))
        else {
            return Vec::new();
        };
        self.to_press(event, &self.notice(None, voice, status, text), now)
    }

    fn to_press(&self, event: EventId, body: &str, now: DateTime<Utc>) -> Vec<Event> {
        self.config
            .incidents
            .press
            .iter()
            .filter(|a| !self.is_down(a.kind()))
            .zip(PRESS..)
            .map(|(address, salt)| {
                outbox(
                    now,
                    OutboxEventKind::Queued {
                        message: OutboundMessage {
                            id: message_of(event, salt),
                            channel: super::channels::channel_for(address),
                            recipient: Recipient::Press {
                                address: address.clone(),
                            },
                            body: body.to_owned(),
                            ticket: None,
                            queued_at: now,
                            deliver_after: None,
                            attachments: Vec::new(),
                            automatic: true,
                        },
                    },
                )
            })
            .collect()
    }

    /// The post-incident write-up: once, after resolution, to every
    /// affected customer's contacts and the press list.
    pub(super) fn decide_review(
        &self,
        d: &mut Drafts,
        review: ReviewInput,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let by = Self::acting_agent(d)?;
        self.active_agent(by)?;
        let id = review.incident;
        let i = self
            .incident(id)
            .ok_or(IncidentError::UnknownIncident(id))?;
        if let Some(s) = review.spokesperson {
            self.active_agent(s)?;
        }
        if !i.is_resolved() {
            return Err(IncidentError::NotResolved(id).into());
        }
        if i.review().is_some() {
            return Err(IncidentError::AlreadyReviewed(id).into());
        }
        let what_happened = review.what_happened.trim().to_owned();
        let prevention = review.prevention.trim().to_owned();
        if what_happened.is_empty() {
            return Err(IncidentError::BlankReview("what happened").into());
        }
        if prevention.is_empty() {
            return Err(IncidentError::BlankReview("prevention").into());
        }
        let stream = StreamId::Incident(id);
        let event_id = d.event_id(self, &stream, 1);
        let text = self.text(
            TemplateName::IncidentReviewText,
            &[
                ("what_happened", &what_happened),
                ("prevention", &prevention),
            ],
        );
        let voice = Voice {
            incident: id,
            title: i.title(),
            commander: i.commander(),
            spokesperson: review.spokesperson,
            review: Some((&what_happened, &prevention)),
        };
        let messages = Messages::from([(Audience::Public, text)]);
        let (mut queued, unreachable) =
            self.keep_in_the_loop_headed(event_id, i.affected(), &voice, None, &messages, now);
        queued.extend(self.brief_press(event_id, &voice, None, &messages, now));
        d.push_outbox(queued);
        d.push(
            stream,
            [Event::Incident(IncidentEvent {
                at: now,
                kind: IncidentEventKind::ReviewPublished {
                    by,
                    spokesperson: review.spokesperson,
                    what_happened,
                    prevention,
                    unreachable,
                },
            })],
        );
        Ok(())
    }
}

/// The notes of the call-out tasks opened for `contact`, which name them
/// and their number: erased with the messages of an erased contact.
pub(super) fn call_out_notes(
    incidents: &super::incident_book::Incidents,
    tickets: &super::tickets::Tickets,
    contact: ContactId,
) -> BTreeMap<crate::id::TicketId, BTreeSet<u32>> {
    incidents
        .iter()
        .filter_map(|i| tickets.get(i.id().call_out_ticket(contact)))
        .map(|t| (t.id(), internal_notes(t)))
        .collect()
}

/// The numbers of a ticket's internal notes.
pub(super) fn internal_notes(t: &crate::ticket::Ticket) -> BTreeSet<u32> {
    t.conversation()
        .iter()
        .filter(|e| e.visibility == crate::ticket::EntryVisibility::Internal)
        .map(|e| e.number)
        .collect()
}

/// What `IncidentAction::PublishReview` says.
pub(super) struct ReviewInput {
    pub(super) incident: IncidentId,
    pub(super) what_happened: String,
    pub(super) prevention: String,
    pub(super) spokesperson: Option<AgentId>,
}

/// The text for a contact: technical contacts read the technical text
/// first, everyone else the business one; then the public one. Press
/// text never goes to contacts.
pub(super) fn audience_text(messages: &Messages, technical: bool) -> Option<&String> {
    let order = if technical {
        [Audience::Technical, Audience::Business, Audience::Public]
    } else {
        [Audience::Business, Audience::Public, Audience::Technical]
    };
    order.iter().find_map(|a| messages.get(a))
}
