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
