//! Unit tests of the customer aggregate.

use super::*;
use chrono::TimeZone;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 2, 1, 8, 0, 0).unwrap()
}
fn ids() -> (CustomerId, ContactId) {
    (
        CustomerId::from_uuid(uuid::Uuid::from_u128(10)),
        ContactId::from_uuid(uuid::Uuid::from_u128(11)),
    )
}
fn run(c: &mut Customer, cmd: CustomerCommand) -> Result<usize, CustomerError> {
    let evs = c.handle(cmd, now())?;
    for e in &evs {
        c.apply(e);
    }
    Ok(evs.len())
}
fn customer_with_contact() -> Customer {
    let (id, contact) = ids();
    let mut c = Customer::from_events(&Customer::register(id, "Acme", now()).unwrap()).unwrap();
    run(
        &mut c,
        CustomerCommand::AddContact {
            contact,
            name: "Jane".into(),
            addresses: vec![
                ChannelAddress::email("jane@acme.example").unwrap(),
                ChannelAddress::email("JANE@acme.example").unwrap(),
            ],
        },
    )
    .unwrap();
    c
}

#[test]
fn duplicate_addresses_collapse_and_last_address_stays() {
    let (_, contact) = ids();
    let mut c = customer_with_contact();
    assert_eq!(c.contact(contact).unwrap().addresses().len(), 1);
    let addr = ChannelAddress::email("jane@acme.example").unwrap();
    assert_eq!(
        run(
            &mut c,
            CustomerCommand::RemoveAddress {
                contact,
                address: addr
            }
        ),
        Err(CustomerError::LastAddress(contact))
    );
}

#[test]
fn personal_details_need_consent_and_are_erased_on_withdrawal() {
    let (id, contact) = ids();
    let mut c = customer_with_contact();
    let before = c.clone();
    let interest = CustomerCommand::AddInterest {
        contact,
        interest: Interest {
            topic: "favourite team".into(),
            detail: "San Antonio Spurs".into(),
        },
    };
    assert_eq!(
        run(&mut c, interest.clone()),
        Err(CustomerError::NoConsent {
            customer: id,
            contact
        })
    );
    assert_eq!(c, before, "a rejected command changes nothing");
    run(
        &mut c,
        CustomerCommand::RecordConsent {
            contact,
            source: ConsentSource::Contact(contact),
        },
    )
    .unwrap();
    assert_eq!(run(&mut c, interest.clone()).unwrap(), 1);
    assert_eq!(
        run(&mut c, interest.clone()).unwrap(),
        0,
        "no duplicate interest"
    );
    assert_eq!(
        c.contact(contact)
            .unwrap()
            .profile()
            .unwrap()
            .interests
            .len(),
        1
    );
    run(&mut c, CustomerCommand::WithdrawConsent { contact }).unwrap();
    assert!(c.contact(contact).unwrap().profile().is_none());
    // Consent again: the old details do not come back.
    run(
        &mut c,
        CustomerCommand::RecordConsent {
            contact,
            source: ConsentSource::Contact(contact),
        },
    )
    .unwrap();
    assert!(c.contact(contact).unwrap().profile().unwrap().is_empty());
}

#[test]
fn unknown_contact_and_duplicate_contact_are_named() {
    let (id, contact) = ids();
    let mut c = customer_with_contact();
    let ghost = ContactId::from_uuid(uuid::Uuid::from_u128(99));
    assert_eq!(
        run(&mut c, CustomerCommand::WithdrawConsent { contact: ghost }),
        Err(CustomerError::UnknownContact {
            customer: id,
            contact: ghost
        })
    );
    let err = run(
        &mut c,
        CustomerCommand::AddContact {
            contact,
            name: "Again".into(),
            addresses: vec![],
        },
    )
    .unwrap_err();
    assert_eq!(
        err,
        CustomerError::DuplicateContact {
            customer: id,
            contact
        }
    );
    assert!(err.to_string().contains(&contact.to_string()));
}

#[test]
fn spend_does_not_show_in_debug() {
    let mut c = customer_with_contact();
    let standing = AccountStanding {
        monthly_spend: Money {
            minor: 123_456_789,
            currency: Currency::new("usd").unwrap(),
        },
        tier: Tier::Enterprise,
    };
    run(&mut c, CustomerCommand::SetAccountStanding { standing }).unwrap();
    let dbg = format!("{c:?}");
    assert!(!dbg.contains("123456789"), "{dbg}");
    assert!(!dbg.contains("Enterprise"), "{dbg}");
    assert_eq!(c.standing(), Some(standing));
    assert_eq!(standing.monthly_spend.to_string(), "1234567.89 USD");
}

#[test]
fn currency_validation() {
    assert_eq!(Currency::new("eur").unwrap().to_string(), "EUR");
    assert_eq!(
        Currency::new("EURO"),
        Err(CustomerError::InvalidCurrency("EURO".into()))
    );
    assert!(Currency::new("E1R").is_err());
}

#[test]
fn money_shows_the_currencys_own_minor_unit_and_unknown_codes_are_refused() {
    let money = |minor, code| Money {
        minor,
        currency: Currency::new(code).unwrap(),
    };
    assert_eq!(money(5, "USD").to_string(), "0.05 USD");
    assert_eq!(money(-5, "USD").to_string(), "-0.05 USD");
    assert_eq!(money(1_500, "JPY").to_string(), "1500 JPY");
    assert_eq!(money(1_500, "BHD").to_string(), "1.500 BHD");
    assert_eq!(money(7, "KWD").to_string(), "0.007 KWD");
    assert_eq!(money(12_345, "CLF").to_string(), "1.2345 CLF");
    assert_eq!(
        money(i64::MIN, "EUR").to_string(),
        "-92233720368547758.08 EUR"
    );
    // No minor unit in ISO 4217: whole units.
    assert_eq!(money(3, "XAU").to_string(), "3 XAU");
    for unknown in ["ABC", "QQQ", "US$", ""] {
        assert_eq!(
            Currency::new(unknown),
            Err(CustomerError::InvalidCurrency(unknown.into()))
        );
    }
    // Stored amounts read as before; a withdrawn currency still reads,
    // and so does any three letters recorded before codes were
    // checked; anything else is refused naming the code.
    let usd = r#"{"minor":1000,"currency":"USD"}"#;
    let read: Money = serde_json::from_str(usd).unwrap();
    assert_eq!(read, money(1000, "USD"));
    assert_eq!(serde_json::to_string(&read).unwrap(), usd);
    let kuna: Money = serde_json::from_str(r#"{"minor":1000,"currency":"HRK"}"#).unwrap();
    assert_eq!(kuna.to_string(), "10.00 HRK");
    let old: Money = serde_json::from_str(r#"{"minor":1,"currency":"ZZZ"}"#).unwrap();
    assert!(!old.currency.is_iso());
    assert_eq!(old.to_string(), "1 ZZZ");
    let err = serde_json::from_str::<Money>(r#"{"minor":1,"currency":"ZZ9"}"#).unwrap_err();
    assert!(
        err.to_string().contains(r#"invalid currency code "ZZ9""#),
        "{err}"
    );
}

#[test]
fn a_merge_moves_roles_and_consent_and_keeps_the_targets_own_consent() {
    let mut c = customer_with_contact();
    let (_, jane) = ids();
    let twin = ContactId::from_uuid(uuid::Uuid::from_u128(12));
    let agent = AgentId::from_uuid(uuid::Uuid::from_u128(13));
    let home = ChannelAddress::email("jay@home.example").unwrap();
    for cmd in [
        CustomerCommand::AddContact {
            contact: twin,
            name: "Jay".into(),
            addresses: vec![home.clone()],
        },
        CustomerCommand::DesignateContact {
            contact: twin,
            role: ContactRole::Billing,
        },
        CustomerCommand::RecordConsent {
            contact: twin,
            source: ConsentSource::Contact(twin),
        },
        CustomerCommand::RecordConsent {
            contact: jane,
            source: ConsentSource::Agent(agent),
        },
    ] {
        run(&mut c, cmd).unwrap();
    }
    let jane_consent = c.contact(jane).unwrap().consent().cloned();
    for e in c.merge_contacts(twin, jane, now()).unwrap() {
        c.apply(&e);
    }
    let j = c.contact(jane).unwrap();
    assert!(j.roles().contains(&ContactRole::Billing));
    assert!(j.addresses().contains(&home));
    assert_eq!(
        j.consent().cloned(),
        jane_consent,
        "the target keeps its own consent"
    );
    let t = c.contact(twin).unwrap();
    assert_eq!(t.merged_into(), Some(jane));
    assert!(t.addresses().is_empty() && t.roles().is_empty() && t.consent().is_none());
    assert_eq!(c.live_id(twin), jane);
    assert_eq!(c.merged_into(jane), vec![twin]);
    // Merging again, either way, or into itself, is refused.
    let merged = CustomerError::ContactMerged {
        customer: c.id(),
        contact: twin,
        into: jane,
    };
    assert_eq!(c.merge_contacts(twin, jane, now()), Err(merged.clone()));
    assert_eq!(c.merge_contacts(jane, twin, now()), Err(merged));
    assert_eq!(
        c.merge_contacts(jane, jane, now()),
        Err(CustomerError::MergeIntoItself {
            customer: c.id(),
            contact: jane
        })
    );
}

#[test]
fn a_merge_event_erased_for_either_contact_keeps_no_address() {
    let (_, jane) = ids();
    let twin = ContactId::from_uuid(uuid::Uuid::from_u128(12));
    let e = CustomerEvent {
        at: now(),
        kind: CustomerEventKind::ContactMerged {
            source: twin,
            target: jane,
            addresses: vec![ChannelAddress::email("jay@home.example").unwrap()],
        },
    };
    for who in [twin, jane] {
        let erased = e
            .erased_for(who, Forget::Contact(ErasureScope::Profile))
            .unwrap();
        assert!(!format!("{erased:?}").contains("jay@home.example"));
    }
    let other = ContactId::from_uuid(uuid::Uuid::from_u128(99));
    assert_eq!(
        e.erased_for(other, Forget::Contact(ErasureScope::Profile)),
        None
    );
    // Consent withdrawn forgets personal details, not addresses.
    assert_eq!(e.erased_for(jane, Forget::PersonalDetails), None);
}

fn other_customer(n: u128) -> Customer {
    let id = CustomerId::from_uuid(uuid::Uuid::from_u128(n));
    Customer::from_events(&Customer::register(id, "Tiny", now()).unwrap()).unwrap()
}

fn field(k: &str) -> FieldKey {
    FieldKey::new(k).unwrap()
}

#[test]
fn a_customer_merge_takes_what_the_target_lacks_and_the_target_wins() {
    let mut source = customer_with_contact();
    let mut target = other_customer(20);
    let component = ComponentId::new("dfw1").unwrap();
    let agent = AgentId::from_uuid(uuid::Uuid::from_u128(30));
    for cmd in [
        CustomerCommand::SetField {
            key: field("seats"),
            value: FieldValue::Number(10),
        },
        CustomerCommand::SetField {
            key: field("region"),
            value: FieldValue::Text("EMEA".into()),
        },
        CustomerCommand::RunOn {
            component: component.clone(),
        },
        CustomerCommand::AssignAccountTeam {
            agent,
            role: Role::AccountManager,
        },
    ] {
        run(&mut source, cmd).unwrap();
    }
    run(
        &mut target,
        CustomerCommand::SetField {
            key: field("seats"),
            value: FieldValue::Number(3),
        },
    )
    .unwrap();
    let (from, into) = source
        .merge_into(&target, MergeCounts::with_tickets(4, 1, 2), now())
        .unwrap();
    let CustomerEventKind::Absorbed {
        contacts,
        fields,
        components,
        account_team,
        moved,
        ..
    } = &into.kind
    else {
        panic!("{into:?}");
    };
    assert_eq!(contacts, &vec![ids().1]);
    assert_eq!(
        fields.get(&field("seats")),
        None,
        "the target's value stays"
    );
    assert_eq!(
        fields.get(&field("region")),
        Some(&FieldValue::Text("EMEA".into()))
    );
    assert!(components.contains(&component));
    assert_eq!(account_team.get(&agent), Some(&Role::AccountManager));
    let mut want = MergeCounts::with_tickets(4, 1, 2);
    (
        want.contacts,
        want.fields,
        want.components,
        want.account_team,
    ) = (1, 1, 1, 1);
    assert_eq!(*moved, want);
    source.apply(&from);
    target.apply(&into);
    assert_eq!(source.merged_into_customer(), Some(target.id()));
    assert!(source.components().is_empty() && source.account_team().is_empty());
    assert!(target.absorbed().contains(&source.id()));
    assert_eq!(
        target.fields().get(&field("seats")),
        Some(&FieldValue::Number(3))
    );
    assert_eq!(
        target.fields().get(&field("region")),
        Some(&FieldValue::Text("EMEA".into()))
    );
    assert!(target.components().contains(&component));
    // The tombstone refuses commands, naming where it went.
    assert_eq!(
        run(
            &mut source,
            CustomerCommand::RenameOrganisation { name: "X".into() }
        ),
        Err(CustomerError::CustomerMerged {
            customer: source.id(),
            into: target.id(),
        })
    );
    assert_eq!(
        target.merge_into(&source, MergeCounts::default(), now()),
        Err(CustomerError::CustomerMerged {
            customer: source.id(),
            into: target.id(),
        })
    );
}

#[test]
fn a_customer_merge_refuses_itself_another_standing_and_a_shared_contact() {
    let source = customer_with_contact();
    let none = MergeCounts::default();
    assert_eq!(
        source.merge_into(&source, none, now()),
        Err(CustomerError::MergeCustomerIntoItself(source.id()))
    );
    let mut target = other_customer(20);
    let standing = |minor| AccountStanding {
        monthly_spend: Money {
            minor,
            currency: Currency::new("EUR").unwrap(),
        },
        tier: Tier::Business,
    };
    let mut rich = source.clone();
    run(
        &mut rich,
        CustomerCommand::SetAccountStanding {
            standing: standing(100),
        },
    )
    .unwrap();
    let differs = Err(CustomerError::StandingDiffers {
        from: source.id(),
        into: target.id(),
    });
    assert_eq!(rich.merge_into(&target, none, now()), differs);
    run(
        &mut target,
        CustomerCommand::SetAccountStanding {
            standing: standing(200),
        },
    )
    .unwrap();
    assert_eq!(rich.merge_into(&target, none, now()), differs);
    run(
        &mut target,
        CustomerCommand::SetAccountStanding {
            standing: standing(100),
        },
    )
    .unwrap();
    assert!(rich.merge_into(&target, none, now()).is_ok());
    // The source without a standing merges into a target with one.
    assert!(source.merge_into(&target, none, now()).is_ok());
    run(
        &mut target,
        CustomerCommand::AddContact {
            contact: ids().1,
            name: "Jane at Tiny".into(),
            addresses: vec![ChannelAddress::email("jane@tiny.example").unwrap()],
        },
    )
    .unwrap();
    assert_eq!(
        source.merge_into(&target, none, now()),
        Err(CustomerError::ContactInBoth {
            contact: ids().1,
            from: source.id(),
            into: target.id(),
        })
    );
}
