use super::*;
use crate::customer::Currency;

fn t(h: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap_or_default() + Duration::hours(h)
}

fn usd(minor: i64) -> Money {
    Money {
        minor,
        currency: Currency::new("USD").unwrap(),
    }
}

#[test]
fn weights_grace_and_cap() {
    let mut p = CreditPolicy::new(ReasonCode::new("outage").unwrap(), 100, 1000).unwrap();
    let d = Downtime {
        major: Duration::hours(1),
        partial: Duration::hours(2),
        degraded: Duration::hours(5),
    };
    // 1 h + 2 h × 50% = 2 weighted hours at 1% = 2% of 10,000.
    assert_eq!(p.credit(usd(10_000), &d).unwrap(), usd(200));
    p.grace = Duration::hours(8);
    assert_eq!(p.credit(usd(10_000), &d).unwrap(), usd(0));
    p.grace = Duration::zero();
    p.rate_bp_per_hour = 10_000;
    assert_eq!(p.credit(usd(10_000), &d).unwrap(), usd(1_000));
    p.rate_bp_per_hour = -1;
    assert_eq!(
        p.credit(usd(10_000), &d),
        Err(IncidentError::NegativeRate(-1))
    );
    p.rate_bp_per_hour = 1;
    assert_eq!(
        p.credit(usd(-5), &d),
        Err(IncidentError::NegativeFee(usd(-5)))
    );
}

#[test]
fn downtime_follows_component_history() {
    let dc = ComponentId::new("dc").unwrap();
    let web = ComponentId::new("dc/web").unwrap();
    let db = ComponentId::new("db").unwrap();
    let cat = ComponentCatalog::new()
        .with(dc.clone(), "DC", None)
        .unwrap()
        .with(web.clone(), "Web", Some(dc.clone()))
        .unwrap()
        .with(db.clone(), "DB", None)
        .unwrap();
    let id = IncidentId::from_uuid(uuid::Uuid::from_u128(1));
    let boss = AgentId::from_uuid(uuid::Uuid::from_u128(2));
    let msg = Messages::from([(Audience::Business, "Down".to_owned())]);
    let declaration = Declaration {
        id,
        title: "Power".to_owned(),
        commander: boss,
        status: IncidentStatus::Investigating,
        components: BTreeMap::from([(dc.clone(), ComponentState::MajorOutage)]),
        cadence: Some(Cadence::every_minutes(30, 5).unwrap()),
        messages: msg.clone(),
    };
    let d = Incident::declare(declaration, &cat, t(0)).unwrap();
    let mut inc = Incident::from_declared(&IncidentEvent {
        at: d.at,
        kind: d.kind,
    })
    .unwrap();
    assert_eq!(
        inc.next_timer(),
        Some(IncidentTimerDue {
            at: t(0) + Duration::minutes(25),
            timer: IncidentTimer::Warn
        })
    );
    let u = inc
        .update(
            Update {
                by: boss,
                status: IncidentStatus::Identified,
                components: BTreeMap::from([(dc.clone(), ComponentState::PartialOutage)]),
                messages: msg.clone(),
                spokesperson: None,
            },
            &cat,
            Duration::days(45),
            t(2),
        )
        .unwrap();
    inc.apply(&IncidentEvent {
        at: u.at,
        kind: u.kind,
    });
    let r = inc
        .update(
            Update {
                by: boss,
                status: IncidentStatus::Resolved,
                components: BTreeMap::new(),
                messages: msg.clone(),
                spokesperson: None,
            },
            &cat,
            Duration::days(45),
            t(3),
        )
        .unwrap();
    inc.apply(&IncidentEvent {
        at: r.at,
        kind: r.kind,
    });
    assert_eq!(
        inc.components().get(&dc),
        Some(&ComponentState::Operational)
    );
    let on_web = inc.downtime_for(&BTreeSet::from([web]), &cat, t(10));
    assert_eq!(on_web.major, Duration::hours(2));
    assert_eq!(on_web.partial, Duration::hours(1));
    let on_db = inc.downtime_for(&BTreeSet::from([db]), &cat, t(10));
    assert_eq!(on_db.total(), Duration::zero());
    assert_eq!(
        inc.update(
            Update {
                by: boss,
                status: IncidentStatus::Monitoring,
                components: BTreeMap::new(),
                messages: msg,
                spokesperson: None,
            },
            &cat,
            Duration::days(45),
            t(4)
        ),
        Err(IncidentError::Resolved(id))
    );
    assert_eq!(
        inc.next_timer(),
        Some(IncidentTimerDue {
            at: t(3) + Duration::days(45),
            timer: IncidentTimer::FollowUp
        })
    );
    assert_eq!(inc.timeline().entries.len(), 3);
}

#[test]
fn catalog_refuses_unknown_parents_and_duplicates() {
    let a = ComponentId::new("a").unwrap();
    let b = ComponentId::new("b").unwrap();
    let cat = ComponentCatalog::new().with(a.clone(), "A", None).unwrap();
    assert_eq!(
        cat.clone().with(b.clone(), "B", Some(b.clone())),
        Err(IncidentError::UnknownComponent(b))
    );
    assert_eq!(
        cat.with(a.clone(), "A", None),
        Err(IncidentError::DuplicateComponent(a))
    );
    assert!(ComponentId::new("two words").is_err());
}
