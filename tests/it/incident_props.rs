//! Incident invariants: every affected customer's contacts get every
//! update exactly once; everyone on a component a running incident has
//! down is in it; a credit never exceeds its cap.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Duration;
use fanatical::actor::Actor;
use fanatical::channel::{ChannelAddress, ChannelKind, SocialNetwork};
use fanatical::customer::{Currency, CustomerCommand, Money};
use fanatical::desk::{Command, Desk};
use fanatical::desk::{CustomerAction, IncidentAction};
use fanatical::id::{ComponentId, ContactId, CustomerId, IncidentId};
use fanatical::incident::*;
use fanatical::outbox::Recipient;
use proptest::prelude::*;

use crate::incidents::{Outage, outage_world};

const COMPONENTS: [&str; 4] = ["dfw1", "dfw1/servers", "dfw1/storage", "ord1"];

/// A customer: which components it runs on, and its contacts' address
/// kinds (0 email, 1 phone, 2 X handle).
type Spec = (Vec<usize>, Vec<Vec<u8>>);

fn arb_customers() -> impl Strategy<Value = Vec<Spec>> {
    prop::collection::vec(
        (
            prop::collection::vec(0usize..4, 0..3),
            prop::collection::vec(prop::collection::vec(0u8..3, 1..3), 0..3),
        ),
        1..6,
    )
}

fn add_customers(o: &mut Outage, specs: &[Spec]) -> Vec<(CustomerId, Vec<(ContactId, bool)>)> {
    let mut out = Vec::new();
    for (n, (runs, contacts)) in specs.iter().enumerate() {
        let id: CustomerId = o.w.ids.next_id();
        o.w.run(Command::new(
            Actor::integration("setup"),
            CustomerAction::Register {
                id,
                organisation: format!("Customer {n}"),
            },
        ))
        .unwrap();
        for r in runs {
            o.w.run(Command::new(
                Actor::integration("setup"),
                CustomerAction::Update {
                    customer: id,
                    command: CustomerCommand::RunOn {
                        component: ComponentId::new(COMPONENTS[*r]).unwrap(),
                    },
                },
            ))
            .unwrap();
        }
        let mut cs = Vec::new();
        for (k, kinds) in contacts.iter().enumerate() {
            let contact: ContactId = o.w.ids.next_id();
            let addresses: Vec<ChannelAddress> = kinds
                .iter()
                .map(|kind| match kind {
                    0 => ChannelAddress::email(format!("c{n}k{k}@example.com")).unwrap(),
                    1 => ChannelAddress::phone(format!("+1 312 555 {n}{k}00")).unwrap(),
                    _ => ChannelAddress::social(SocialNetwork::X, format!("@c{n}k{k}")).unwrap(),
                })
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            // Reachable by a queued message: email or a social handle.
            let reachable = kinds.iter().any(|k| *k != 1);
            o.w.run(Command::new(
                Actor::integration("setup"),
                CustomerAction::Update {
                    customer: id,
                    command: CustomerCommand::AddContact {
                        contact,
                        name: format!("Contact {k}"),
                        addresses,
                    },
                },
            ))
            .unwrap();
            cs.push((contact, reachable));
        }
        out.push((id, cs));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::cases(48)))]

    #[test]
    fn every_affected_contact_gets_every_update_exactly_once(
        specs in arb_customers(),
        declared_on in prop::collection::btree_set(0usize..4, 1..3),
        updates in prop::collection::vec((0u8..4, any::<bool>()), 0..5),
    ) {
        let mut o = outage_world(crate::incidents::config());
        let customers = add_customers(&mut o, &specs);
        let id: IncidentId = o.w.ids.next_id();
        let catalog = o.w.desk.config().incidents.components.clone();
        let components: BTreeMap<ComponentId, ComponentState> = declared_on
            .iter()
            .map(|i| (ComponentId::new(COMPONENTS[*i]).unwrap(), ComponentState::MajorOutage))
            .collect();
        let cmd = Command::new(Actor::Agent(o.boss), IncidentAction::Declare {
            incident: id,
            title: "Outage".into(),
            commander: o.boss,
            status: IncidentStatus::Investigating,
            components: components.clone(),
            cadence: None,
            messages: BTreeMap::from([(Audience::Business, "update #0".to_owned())]),
        });
        // Deciding twice (a retry) decides the same messages: same ids.
        prop_assert_eq!(o.w.desk.decide(cmd.clone(), o.w.now).unwrap(), o.w.desk.decide(cmd.clone(), o.w.now).unwrap());
        o.w.run(cmd).unwrap();
        let mut texts = vec!["update #0".to_owned()];
        for (k, (status, technical)) in updates.iter().enumerate() {
            o.w.tick(10);
            let text = format!("update #{}", k + 1);
            let status = match status {
                0 => IncidentStatus::Investigating,
                1 => IncidentStatus::Identified,
                2 => IncidentStatus::Monitoring,
                _ => IncidentStatus::Resolved,
            };
            let audience = if *technical { Audience::Technical } else { Audience::Business };
            o.w.run(Command::new(Actor::Agent(o.boss), IncidentAction::Update {
                incident: id,
                status,
                components: BTreeMap::new(),
                messages: BTreeMap::from([(audience, text.clone())]),
                spokesperson: None,
                solve_linked: None,
            })).unwrap();
            texts.push(text);
            if status == IncidentStatus::Resolved {
                break;
            }
        }
        let affected: BTreeSet<CustomerId> = o
            .w
            .desk
            .customers().iter()
            .filter(|c| {
                c.components()
                    .iter()
                    .any(|r| components.keys().any(|k| catalog.covers(k, r)))
            })
            .map(|c| c.id())
            .collect();
        prop_assert_eq!(o.w.desk.incidents().get(id).unwrap().affected(), &affected);
        let mut ids = BTreeSet::new();
        for e in o.w.desk.channels().outbox() {
            prop_assert!(ids.insert(e.message.id), "a message id was queued twice");
        }
        for (customer, contacts) in &customers {
            for (contact, reachable) in contacts {
                for text in &texts {
                    let got = o.w.desk.channels().outbox().filter(|e| {
                        matches!(&e.message.recipient, Recipient::Contact { contact: c, .. } if c == contact)
                            && e.message.body.ends_with(text.as_str())
                    }).count();
                    let want = usize::from(affected.contains(customer) && *reachable);
                    prop_assert_eq!(got, want, "contact {} of {}: {}", contact, customer, text);
                }
                // Nobody unreachable is silently dropped: the declaration
                // lists them.
                if affected.contains(customer) && !reachable {
                    let listed = o.w.desk.incidents().get(id).unwrap().events().iter().any(|e| match &e.kind {
                        IncidentEventKind::Declared { unreachable, .. } => unreachable.contains(&(*customer, *contact)),
                        _ => false,
                    });
                    prop_assert!(listed);
                }
            }
        }
        for e in o.w.desk.channels().outbox() {
            if let Recipient::Contact { address, .. } = &e.message.recipient {
                prop_assert!(address.kind() != ChannelKind::Phone, "phone is live, not queued");
            }
        }
        prop_assert_eq!(&Desk::rebuild(&o.w.store, o.w.desk.config().clone()).unwrap(), &o.w.desk);
    }

    #[test]
    fn a_credit_never_exceeds_its_cap_and_grows_with_downtime(
        fee in 0i64..1_000_000_000_000,
        rate in 0i64..100_000,
        cap in 0i64..20_000,
        partial_weight in 0i64..=100,
        degraded_weight in 0i64..=100,
        major in 0i64..100_000_000,
        partial in 0i64..100_000_000,
        degraded in 0i64..100_000_000,
        more in 0i64..10_000_000,
        grace in 0i64..100_000,
    ) {
        let mut p = CreditPolicy::new(ReasonCode::new("sla").unwrap(), rate, cap).unwrap();
        p.partial_weight_percent = partial_weight;
        p.degraded_weight_percent = degraded_weight;
        p.grace = Duration::seconds(grace);
        let fee = Money { minor: fee, currency: Currency::new("EUR").unwrap() };
        let d = Downtime {
            major: Duration::seconds(major),
            partial: Duration::seconds(partial),
            degraded: Duration::seconds(degraded),
        };
        let credit = p.credit(fee, &d).unwrap();
        let limit = p.cap(fee).unwrap();
        prop_assert!(credit.minor >= 0);
        prop_assert!(credit.minor <= limit.minor, "{} > cap {}", credit.minor, limit.minor);
        prop_assert!(limit.minor <= fee.minor.saturating_mul(cap) / 10_000 + 1);
        let longer = Downtime { major: d.major + Duration::seconds(more), ..d };
        prop_assert!(p.credit(fee, &longer).unwrap().minor >= credit.minor);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::cases(48)))]

    /// Whatever updates take down and wherever customers move, every
    /// customer running on a component a running incident has down is in
    /// it, nobody leaves it, each joiner joined once, and every contact a
    /// written message missed who has a phone has a call-out task.
    #[test]
    fn an_incident_keeps_everyone_on_its_down_components_in_the_loop(
        specs in arb_customers(),
        declared_on in 0usize..4,
        steps in prop::collection::vec((any::<bool>(), 0usize..8, 0usize..4, 0u8..4), 0..8),
    ) {
        let mut o = outage_world(crate::incidents::config());
        let customers = add_customers(&mut o, &specs);
        let id: IncidentId = o.w.ids.next_id();
        let catalog = o.w.desk.config().incidents.components.clone();
        o.w.run(Command::new(Actor::Agent(o.boss), IncidentAction::Declare {
            incident: id,
            title: "Outage".into(),
            commander: o.boss,
            status: IncidentStatus::Investigating,
            components: BTreeMap::from([(
                ComponentId::new(COMPONENTS[declared_on]).unwrap(),
                ComponentState::MajorOutage,
            )]),
            cadence: None,
            messages: BTreeMap::from([(Audience::Business, "update #0".to_owned())]),
        })).unwrap();
        let declared = o.w.desk.incidents().get(id).unwrap().affected().clone();
        let mut before = declared.clone();
        for (k, (update, who, component, state)) in steps.iter().enumerate() {
            o.w.tick(5);
            let component = ComponentId::new(COMPONENTS[*component]).unwrap();
            if *update {
                let state = match state {
                    0 => ComponentState::Operational,
                    1 => ComponentState::Degraded,
                    2 => ComponentState::PartialOutage,
                    _ => ComponentState::MajorOutage,
                };
                let messages = if k % 2 == 0 {
                    BTreeMap::from([(Audience::Business, format!("update #{}", k + 1))])
                } else {
                    BTreeMap::new()
                };
                // A change that changes nothing and says nothing is refused.
                let done = o.w.run(Command::new(Actor::Agent(o.boss), IncidentAction::Update {
                    incident: id,
                    status: IncidentStatus::Identified,
                    components: BTreeMap::from([(component, state)]),
                    messages,
                    spokesperson: None,
                    solve_linked: None,
                }));
                if let Err(e) = done {
                    prop_assert_eq!(e, fanatical::Error::from(IncidentError::EmptyUpdate));
                }
            } else if let Some((customer, _)) = customers.get(*who % customers.len().max(1)) {
                o.w.run(Command::new(Actor::integration("setup"), CustomerAction::Update {
                    customer: *customer,
                    command: CustomerCommand::RunOn { component },
                })).unwrap();
            }
            let i = o.w.desk.incidents().get(id).unwrap();
            let on_down: BTreeSet<CustomerId> = o.w.desk.customers().iter()
                .filter(|c| c.components().iter().any(|r| i.components().iter()
                    .any(|(k, s)| *s != ComponentState::Operational && catalog.covers(k, r))))
                .map(|c| c.id())
                .collect();
            prop_assert!(on_down.is_subset(i.affected()), "{:?} not all in {:?}", on_down, i.affected());
            prop_assert!(before.is_subset(i.affected()), "nobody leaves an incident");
            before = i.affected().clone();
        }
        let i = o.w.desk.incidents().get(id).unwrap();
        let joins: Vec<CustomerId> = i.events().iter().filter_map(|e| match &e.kind {
            IncidentEventKind::CustomerJoined { customer, .. } => Some(*customer),
            _ => None,
        }).collect();
        let joined: BTreeSet<CustomerId> = i.joined().keys().copied().collect();
        prop_assert_eq!(joins.len(), joined.len(), "each joiner joins once");
        prop_assert_eq!(&joined, &i.affected().difference(&declared).copied().collect::<BTreeSet<_>>());
        for u in i.unreached() {
            let has_phone = o.w.desk.customers().get(u.customer)
                .and_then(|c| c.contacts().find(|p| p.id() == u.contact))
                .is_some_and(|p| p.addresses().iter().any(|a| a.kind() == ChannelKind::Phone));
            prop_assert_eq!(u.call_out.is_some(), has_phone);
            if let Some(call_out) = &u.call_out {
                let t = o.w.desk.tickets().get(call_out.ticket).unwrap();
                prop_assert_eq!(t.assignee(), Some(o.boss));
                prop_assert_eq!(t.requester(), Some(u.contact));
            }
        }
        prop_assert_eq!(&Desk::rebuild(&o.w.store, o.w.desk.config().clone()).unwrap(), &o.w.desk);
    }
}
