//! Recognition deciding for itself: attribution from the desk's leads,
//! the acknowledgement by the top of the chain, reminders, peers, the
//! committee and certificates, refusals included.

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::*;
use crate::id::IdGenerator;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 8, 12, 0, 0).unwrap()
}

struct World {
    ids: IdGenerator,
    r: Recognition,
    ana: AgentId,
    lead: AgentId,
    ceo: AgentId,
    ticket: TicketId,
}

fn world() -> World {
    let mut ids = IdGenerator::from_seed(3);
    World {
        ana: ids.next_id(),
        lead: ids.next_id(),
        ceo: ids.next_id(),
        ticket: ids.next_id(),
        ids,
        r: Recognition::default(),
    }
}

impl World {
    fn lead_to(&self, agent: AgentId) -> Lead {
        Lead {
            ticket: self.ticket,
            agent,
            chain: vec![self.lead, self.ceo],
        }
    }

    fn praise(
        &mut self,
        text: &str,
        customer: Option<CustomerId>,
        ticket: Option<TicketId>,
    ) -> (PraiseId, RecognitionAction) {
        let praise = self.ids.next_id();
        let action = RecognitionAction::RecordPraise {
            praise,
            source: PraiseSource::TicketReply,
            text: text.into(),
            customer,
            ticket,
        };
        (praise, action)
    }

    fn run(
        &mut self,
        action: RecognitionAction,
        ctx: RecognitionContext,
    ) -> Result<Vec<RecognitionEvent>, RecognitionError> {
        let events = self.r.handle(action, ctx, now())?;
        for e in &events {
            self.r.apply(e, Duration::days(1));
        }
        Ok(events)
    }
}

#[test]
fn praise_naming_a_worked_ticket_goes_to_its_agent_and_up_the_chain() {
    let mut w = world();
    let (p, action) = w.praise("  thanks Ana ", None, Some(w.ticket));
    let leads = PraiseLeads {
        ticket: Found::Known(Some(w.lead_to(w.ana))),
        ..PraiseLeads::default()
    };
    let events = w.run(action, RecognitionContext::praise(leads)).unwrap();
    let [
        RecognitionEvent {
            kind: RecognitionEventKind::PraiseRecorded { praise },
            ..
        },
    ] = events.as_slice()
    else {
        panic!("one praise: {events:?}");
    };
    assert_eq!(praise.text, "thanks Ana");
    assert_eq!(praise.agent, Some(w.ana));
    assert_eq!(praise.chain, vec![w.lead, w.ceo]);
    assert_eq!(praise.attribution, Attribution::Ticket { ticket: w.ticket });
    assert_eq!(
        w.r.praise(p).map(|r| r.ack),
        Some(Acknowledgement::Pending {
            by: w.ceo,
            next_reminder: now() + Duration::days(1)
        })
    );
}

#[test]
fn praise_falls_through_its_leads_in_order() {
    let mut w = world();
    let customer: CustomerId = w.ids.next_id();
    // The named ticket nobody worked: the customer's recent ticket.
    let (_, action) = w.praise("great", Some(customer), Some(w.ticket));
    let leads = PraiseLeads {
        ticket: Found::Known(None),
        customer: Found::Known(Some(w.lead_to(w.ana))),
        ..PraiseLeads::default()
    };
    let events = w.run(action, RecognitionContext::praise(leads)).unwrap();
    let Some(RecognitionEventKind::PraiseRecorded { praise }) = events.first().map(|e| &e.kind)
    else {
        panic!("praise: {events:?}");
    };
    assert_eq!(
        praise.attribution,
        Attribution::RecentTicket { ticket: w.ticket }
    );
    // A survey comment's own ticket wins, even over an unknown named one.
    let invitation = w.ids.next_id();
    let named = w.ids.next_id();
    let (_, mut action) = w.praise("great", None, Some(named));
    if let RecognitionAction::RecordPraise { source, .. } = &mut action {
        *source = PraiseSource::Survey { invitation };
    }
    let leads = PraiseLeads {
        survey: Some(w.lead_to(w.lead)),
        ticket: Found::Unknown,
        ..PraiseLeads::default()
    };
    let events = w.run(action, RecognitionContext::praise(leads)).unwrap();
    assert!(matches!(
        events.first().map(|e| &e.kind),
        Some(RecognitionEventKind::PraiseRecorded { praise }) if praise.agent == Some(w.lead)
    ));
    // No lead at all: kept, unattributed, with nothing to acknowledge.
    let (p, action) = w.praise("great", None, None);
    w.run(action, RecognitionContext::default()).unwrap();
    assert_eq!(
        w.r.praise(p).map(|r| (r.praise.attribution, r.ack)),
        Some((Attribution::Unattributed, Acknowledgement::NotNeeded))
    );
    assert_eq!(
        w.run(
            RecognitionAction::Acknowledge { praise: p },
            RecognitionContext::by(w.ceo)
        ),
        Err(RecognitionError::Unattributed(p))
    );
}

#[test]
fn praise_is_refused_in_the_order_it_is_checked() {
    let mut w = world();
    let customer: CustomerId = w.ids.next_id();
    let unknown = PraiseLeads {
        ticket: Found::Unknown,
        customer: Found::Unknown,
        ..PraiseLeads::default()
    };
    // Blank text comes before an unknown ticket.
    let (_, action) = w.praise("  ", Some(customer), Some(w.ticket));
    assert_eq!(
        w.r.handle(action, RecognitionContext::praise(unknown.clone()), now()),
        Err(RecognitionError::EmptyPraise)
    );
    let (_, action) = w.praise("great", Some(customer), Some(w.ticket));
    assert_eq!(
        w.r.handle(action, RecognitionContext::praise(unknown), now()),
        Err(RecognitionError::UnknownTicket(w.ticket))
    );
    let (_, action) = w.praise("great", Some(customer), Some(w.ticket));
    let leads = PraiseLeads {
        ticket: Found::Known(None),
        customer: Found::Unknown,
        ..PraiseLeads::default()
    };
    assert_eq!(
        w.r.handle(action, RecognitionContext::praise(leads), now()),
        Err(RecognitionError::UnknownCustomer(customer))
    );
    let (p, action) = w.praise("great", None, None);
    w.run(action.clone(), RecognitionContext::default())
        .unwrap();
    assert_eq!(
        w.r.handle(action, RecognitionContext::default(), now()),
        Err(RecognitionError::DuplicatePraise(p))
    );
}

#[test]
fn only_the_top_of_the_chain_acknowledges_once() {
    let mut w = world();
    let (p, action) = w.praise("great", None, Some(w.ticket));
    let leads = PraiseLeads {
        ticket: Found::Known(Some(w.lead_to(w.ana))),
        ..PraiseLeads::default()
    };
    w.run(action, RecognitionContext::praise(leads)).unwrap();
    let ack = RecognitionAction::Acknowledge { praise: p };
    assert_eq!(
        w.r.handle(ack.clone(), RecognitionContext::default(), now()),
        Err(RecognitionError::NeedsAgent)
    );
    assert_eq!(
        w.r.handle(ack.clone(), RecognitionContext::by(w.lead), now()),
        Err(RecognitionError::NotTheAcknowledger {
            praise: p,
            expected: w.ceo,
            by: w.lead
        })
    );
    let unknown = w.ids.next_id();
    assert_eq!(
        w.r.handle(
            RecognitionAction::Acknowledge { praise: unknown },
            RecognitionContext::by(w.ceo),
            now()
        ),
        Err(RecognitionError::UnknownPraise(unknown))
    );
    assert_eq!(
        w.run(ack.clone(), RecognitionContext::by(w.ceo))
            .unwrap()
            .len(),
        1
    );
    // Again: nothing more to record.
    assert_eq!(w.run(ack, RecognitionContext::by(w.ceo)), Ok(Vec::new()));
}

#[test]
fn reminders_go_while_an_acknowledgement_is_pending() {
    let mut w = world();
    let (p, action) = w.praise("great", None, Some(w.ticket));
    let leads = PraiseLeads {
        ticket: Found::Known(Some(w.lead_to(w.ana))),
        ..PraiseLeads::default()
    };
    w.run(action, RecognitionContext::praise(leads)).unwrap();
    let (q, action) = w.praise("kept", None, None);
    w.run(action, RecognitionContext::default()).unwrap();
    let unknown = w.ids.next_id();
    let later = now() + Duration::days(1);
    let events =
        w.r.reminders_due(&[p, q, unknown], Duration::hours(6), later);
    assert_eq!(
        events,
        vec![RecognitionEvent {
            at: later,
            kind: RecognitionEventKind::Reminded {
                praise: p,
                next: later + Duration::hours(6)
            }
        }]
    );
    w.run(
        RecognitionAction::Acknowledge { praise: p },
        RecognitionContext::by(w.ceo),
    )
    .unwrap();
    assert!(
        w.r.reminders_due(&[p], Duration::hours(6), later)
            .is_empty()
    );
}

#[test]
fn peers_committee_and_certificates() {
    let mut w = world();
    let (ana, lead, ceo) = (w.ana, w.lead, w.ceo);
    let peer = |to, note: &str| RecognitionAction::RecognisePeer {
        to,
        note: note.into(),
    };
    let certificate = |agent, title: &str| RecognitionAction::IssueCertificate {
        agent,
        title: title.into(),
    };
    assert_eq!(
        w.run(peer(ana, "x"), RecognitionContext::by(ana)),
        Err(RecognitionError::SelfRecognition(ana))
    );
    assert_eq!(
        w.run(peer(ana, "x"), RecognitionContext::default()),
        Err(RecognitionError::NeedsAgent)
    );
    assert_eq!(
        w.run(certificate(ana, ""), RecognitionContext::by(lead)),
        Err(RecognitionError::NoKudos(ana))
    );
    w.run(peer(ana, " helped me "), RecognitionContext::by(lead))
        .unwrap();
    assert_eq!(
        w.r.peers().first().map(|p| p.note.as_str()),
        Some("helped me")
    );
    // Anyone issues certificates until a committee is named.
    let events = w
        .run(certificate(ana, "  "), RecognitionContext::by(lead))
        .unwrap();
    assert!(matches!(
        events.first().map(|e| &e.kind),
        Some(RecognitionEventKind::CertificateIssued { serial, title, .. })
            if serial == "COA-000001" && title == "Certificate of Awesomeness"
    ));
    w.run(
        RecognitionAction::NameCommittee {
            members: vec![ceo, lead, ceo],
        },
        RecognitionContext::default(),
    )
    .unwrap();
    let mut committee = vec![ceo, lead];
    committee.sort();
    assert_eq!(w.r.committee(), committee.as_slice());
    assert_eq!(
        w.run(certificate(lead, "Hero"), RecognitionContext::by(ana)),
        Err(RecognitionError::NoKudos(lead))
    );
    assert_eq!(
        w.run(certificate(ana, "Hero"), RecognitionContext::by(ana)),
        Err(RecognitionError::NotOnCommittee(ana))
    );
    w.run(certificate(ana, " Hero "), RecognitionContext::by(ceo))
        .unwrap();
    let serials: Vec<_> =
        w.r.certificates()
            .iter()
            .map(|c| (c.serial.as_str(), c.title.as_str()))
            .collect();
    assert_eq!(
        serials,
        vec![
            ("COA-000001", "Certificate of Awesomeness"),
            ("COA-000002", "Hero")
        ]
    );
}
