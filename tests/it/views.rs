//! Each view leaves out what its audience must not see — shown on fixed
//! cases and with proptest over random tickets and customers.

use fanatical::actor::Actor;
use fanatical::agent::Role;
use fanatical::arbitrary::{arb_customer, arb_ticket, sample_agent};
use fanatical::customer::{
    AccountStanding, ConsentSource, Currency, CustomerCommand, Interest, Money, Relation, Tier,
};
use fanatical::desk::Command;
use fanatical::desk::{CustomerAction, PeopleAction};
use fanatical::ticket::{Author, EntryVisibility};
use fanatical::view::{
    AccountCustomerView, AgentCustomerView, AgentTicketView, CustomerStatus, CustomerTicketView,
    ViewError,
};
use proptest::prelude::*;

use crate::support::World;

fn standing(minor: i64, tier: Tier) -> AccountStanding {
    AccountStanding {
        monthly_spend: Money {
            minor,
            currency: Currency::new("USD").unwrap(),
        },
        tier,
    }
}

#[test]
fn the_customer_never_sees_internal_notes() {
    let mut w = World::new();
    let t = w.jane_emails("Why is my bill so high?");
    let ana = w.ana;
    w.run(Command::note(t, ana, "SECRET: they are on the legacy plan"))
        .unwrap();
    w.run(Command::reply(t, ana, "Let me check that for you"))
        .unwrap();
    let jane = w.jane;
    let view = w.desk.customer_ticket_view(t, jane).unwrap();
    assert_eq!(
        view.conversation
            .iter()
            .map(|e| e.body.as_str())
            .collect::<Vec<_>>(),
        vec!["Why is my bill so high?", "Let me check that for you"]
    );
    let json = serde_json::to_string(&view).unwrap();
    assert!(!json.contains("SECRET"), "{json}");
    assert_eq!(view.status, CustomerStatus::Open);
    // The agent sees all three entries.
    let agent = w.desk.agent_ticket_view(t).unwrap();
    assert_eq!(agent.conversation.len(), 3);
    // Another customer's contact sees nothing.
    let tom = w.tom;
    assert_eq!(
        w.desk.customer_ticket_view(t, tom),
        Err(ViewError::NotTheirTicket {
            contact: tom,
            ticket: t
        }
        .into())
    );
}

#[test]
fn agents_see_the_customer_not_the_invoice() {
    let mut w = World::new();
    let (acme, tiny, ana, bill, jane) = (w.acme, w.tiny, w.ana, w.bill, w.jane);
    w.run(Command::new(
        Actor::integration("setup"),
        CustomerAction::Update {
            customer: acme,
            command: CustomerCommand::SetAccountStanding {
                standing: standing(9_876_543_210, Tier::Enterprise),
            },
        },
    ))
    .unwrap();
    w.run(Command::new(
        Actor::integration("setup"),
        CustomerAction::Update {
            customer: tiny,
            command: CustomerCommand::SetAccountStanding {
                standing: standing(1_000, Tier::Standard),
            },
        },
    ))
    .unwrap();
    let big = w.desk.agent_customer_view(acme).unwrap();
    let small = w.desk.agent_customer_view(tiny).unwrap();
    for v in [&big, &small] {
        let json = serde_json::to_string(v).unwrap();
        for leak in [
            "9876543210",
            "1000",
            "enterprise",
            "standard",
            "spend",
            "tier",
        ] {
            assert!(!json.contains(leak), "{leak} leaked into {json}");
        }
    }
    // The agent's role does not let them ask for the account view.
    assert_eq!(
        w.desk.account_customer_view(acme, ana),
        Err(crate::support::denied(
            &w.desk,
            fanatical::actor::Actor::Agent(ana),
            fanatical::permission::Permission::ViewSpend,
            None
        ))
    );
    // Billing can.
    let account = w.desk.account_customer_view(acme, bill).unwrap();
    assert_eq!(
        account.standing,
        Some(standing(9_876_543_210, Tier::Enterprise))
    );
    // Personal details show only where consent stands.
    assert!(big.contacts.iter().all(|c| c.personal.is_none()));
    w.run(Command::new(
        Actor::integration("setup"),
        CustomerAction::Update {
            customer: acme,
            command: CustomerCommand::RecordConsent {
                contact: jane,
                source: ConsentSource::Contact(jane),
            },
        },
    ))
    .unwrap();
    w.run(Command::new(
        Actor::integration("setup"),
        CustomerAction::Update {
            customer: acme,
            command: CustomerCommand::AddFamilyMember {
                contact: jane,
                name: "Rosa".into(),
                relation: Relation::Spouse,
            },
        },
    ))
    .unwrap();
    let v = w.desk.agent_customer_view(acme).unwrap();
    assert_eq!(
        v.contacts[0].personal.as_ref().unwrap().family[0].name,
        "Rosa"
    );
    w.run(Command::new(
        Actor::integration("setup"),
        CustomerAction::Update {
            customer: acme,
            command: CustomerCommand::WithdrawConsent { contact: jane },
        },
    ))
    .unwrap();
    let v = w.desk.agent_customer_view(acme).unwrap();
    assert!(v.contacts[0].personal.is_none());
    assert!(!serde_json::to_string(&v).unwrap().contains("Rosa"));
}

#[test]
fn a_deactivated_billing_agent_loses_the_account_view() {
    let mut w = World::new();
    let (acme, bill) = (w.acme, w.bill);
    assert_eq!(
        w.desk.account_customer_view(acme, bill).map(|v| v.standing),
        Ok(None),
        "billing may look (no standing is set)"
    );
    w.run(Command::new(
        Actor::integration("setup"),
        PeopleAction::UpdateAgent {
            agent: bill,
            command: fanatical::agent::AgentCommand::Deactivate,
        },
    ))
    .unwrap();
    assert_eq!(
        w.desk.account_customer_view(acme, bill).map(|v| v.standing),
        Err(fanatical::desk::DeskError::InactiveAgent(bill).into())
    );
}

/// Whether a JSON value has an object key `key` anywhere inside it.
fn has_key(v: &serde_json::Value, key: &str) -> bool {
    match v {
        serde_json::Value::Object(m) => m.contains_key(key) || m.values().any(|x| has_key(x, key)),
        serde_json::Value::Array(a) => a.iter().any(|x| has_key(x, key)),
        _ => false,
    }
}

#[test]
fn the_key_check_can_fail() {
    let v = serde_json::json!({"a": [{"b": {"tier": 1}}]});
    assert!(has_key(&v, "tier"));
    assert!(!has_key(&v, "spend"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::cases(128)))]

    /// The customer's view holds exactly the public entries, in order, and
    /// no internal note's text.
    #[test]
    fn customer_view_has_exactly_the_public_entries(ticket in arb_ticket()) {
        let view = CustomerTicketView::from_ticket(&ticket);
        let public: Vec<_> = ticket
            .conversation()
            .iter()
            .filter(|e| e.visibility == EntryVisibility::Public)
            .collect();
        prop_assert_eq!(view.conversation.len(), public.len());
        for (v, e) in view.conversation.iter().zip(&public) {
            prop_assert_eq!(&v.body, &e.body);
            prop_assert_eq!(v.at, e.at);
        }
        let json = serde_json::to_value(&view).unwrap();
        for hidden in ["tags", "team", "links", "assignee"] {
            prop_assert!(!has_key(&json, hidden), "customer view has a {} field", hidden);
        }
        // The agent view loses nothing.
        let agent = AgentTicketView::from_ticket(&ticket);
        prop_assert_eq!(agent.conversation.as_slice(), ticket.conversation());
        // Internal entries are only ever by agents.
        for e in ticket.conversation() {
            if e.visibility == EntryVisibility::Internal {
                prop_assert!(matches!(e.author, Author::Agent(_)));
            }
        }
    }

    /// No agent view of any customer carries spend or tier; personal
    /// details appear exactly for contacts whose consent stands.
    #[test]
    fn agent_customer_view_never_has_spend(customer in arb_customer()) {
        let view = AgentCustomerView::from_customer(&customer);
        let json = serde_json::to_value(&view).unwrap();
        for hidden in ["standing", "monthly_spend", "tier"] {
            prop_assert!(!has_key(&json, hidden), "agent view has a {} field", hidden);
        }
        for c in &view.contacts {
            let model = customer.contact(c.id).unwrap();
            prop_assert_eq!(c.personal.is_some(), model.consent().is_some());
        }
        // Only roles that need spend get the account view.
        for role in [Role::Agent, Role::TeamLead, Role::Manager, Role::SafetyResponder,
                     Role::AccountManager, Role::Billing, Role::Executive] {
            let id = sample_agent(1);
            let ev = fanatical::agent::Agent::register(id, "Viewer", chrono_tz::UTC, [role.clone()], [], customer.since()).unwrap();
            let viewer = fanatical::agent::Agent::from_events(&ev).unwrap();
            let account = AccountCustomerView::for_viewer(&customer, &viewer, &fanatical::permission::PermissionTable::defaults()).map(|v| v.customer.id);
            if role.sees_spend() {
                prop_assert_eq!(account, Ok(customer.id()));
            } else {
                prop_assert_eq!(account, Err(ViewError::Forbidden {
                    agent: id,
                    what: "spend and tier",
                    needed: "view_spend",
                }));
            }
        }
    }

    /// Personal details never outlive a withdrawn consent.
    #[test]
    fn withdrawn_consent_erases_details(customer in arb_customer(), c in 0u8..4) {
        let contact = fanatical::arbitrary::sample_contact(c);
        let mut customer = customer;
        let now = customer.since();
        let evs = customer.handle(CustomerCommand::WithdrawConsent { contact }, now).unwrap();
        for e in &evs { customer.apply(e); }
        let view = AgentCustomerView::from_customer(&customer);
        let cv = view.contacts.iter().find(|x| x.id == contact).unwrap();
        prop_assert!(cv.personal.is_none());
        let add = customer.handle(CustomerCommand::AddInterest {
            contact,
            interest: Interest { topic: "hobby".into(), detail: "chess".into() },
        }, now);
        prop_assert_eq!(add, Err(fanatical::customer::CustomerError::NoConsent { customer: customer.id(), contact }));
    }
}
