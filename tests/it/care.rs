//! Proactive care and period metrics.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use fanatical::actor::Actor;
use fanatical::channel::{Channel, ChannelKind};
use fanatical::desk::{Command, DeskConfig, InboundMessage};
use fanatical::desk::{IncidentAction, TicketAction};
use fanatical::id::{ComponentId, IncidentId, TicketId};
use fanatical::incident::{Audience, ComponentState, IncidentStatus, Messages};
use fanatical::sla::Metric;
use fanatical::ticket::{Status, TicketCommand};

use crate::support::World;

fn email(w: &mut World, subject: &str) -> TicketId {
    w.jane_emails(subject)
}

#[test]
fn opening_a_ticket_shows_the_other_open_issues_recent_incidents_and_what_it_repeats() {
    let mut o = crate::incidents::outage_world(crate::incidents::config());
    let first = email(&mut o.w, "Site down");
    o.w.tick(60);
    let billing = email(&mut o.w, "Invoice question");
    let id: IncidentId = o.w.ids.next_id();
    o.w.run(Command::new(
        Actor::Agent(o.boss),
        IncidentAction::Declare {
            incident: id,
            title: "DFW1 power loss".into(),
            commander: o.boss,
            status: IncidentStatus::Identified,
            components: BTreeMap::from([(
                ComponentId::new("dfw1").unwrap(),
                ComponentState::MajorOutage,
            )]),
            cadence: None,
            messages: Messages::from([(Audience::Business, "We are on it.".into())]),
        },
    ))
    .unwrap();
    o.w.tick(24 * 60);
    let again = email(&mut o.w, "RE: site DOWN");
    let b = o.w.desk.customers().care_briefing(again, o.w.now).unwrap();
    assert_eq!(
        b.other_open.iter().map(|i| i.ticket).collect::<Vec<_>>(),
        vec![first, billing]
    );
    assert_eq!(b.other_open[0].subject, "Site down");
    assert_eq!(b.incidents.len(), 1);
    assert_eq!(b.incidents[0].title, "DFW1 power loss");
    assert_eq!(
        b.repeat_of,
        vec![first],
        "same subject within a week; the invoice is another problem"
    );

    // A week and a day later the same words are a new contact, not a repeat.
    o.w.tick(8 * 24 * 60);
    let later = email(&mut o.w, "Site down");
    assert!(o.w.desk.tickets().repeat_of(later).is_empty());

    // Tickets linked to the same incident are the same problem whatever
    // their subjects.
    let a = email(&mut o.w, "Everything is slow");
    o.w.tick(5);
    let b2 = email(&mut o.w, "Can't log in");
    assert!(o.w.desk.tickets().repeat_of(b2).is_empty());
    o.w.run(Command::new(
        Actor::integration("setup"),
        IncidentAction::LinkTickets {
            incident: id,
            tickets: vec![a, b2],
        },
    ))
    .unwrap();
    assert_eq!(o.w.desk.tickets().repeat_of(b2), vec![a]);
}

#[test]
fn period_metrics_first_response_sla_attainment_queue_and_repeats() {
    let mut w = World::with_config(DeskConfig::default().with_sla(crate::sla_desk::policies()));
    // Monday 9:00 in Chicago.
    let monday = Utc.with_ymd_and_hms(2026, 11, 2, 15, 0, 0).unwrap();
    w.now = monday;
    let ana = w.ana;
    let tickets: Vec<TicketId> = (0..4).map(|_| email(&mut w, "Site down")).collect();
    // The last one is Bill's.
    let bill = w.bill;
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::Update {
            ticket: tickets[3],
            command: TicketCommand::Assign(Some(bill)),
        },
    ))
    .unwrap();
    // Replies after 10, 20, 30 and 90 minutes: the last misses the 1-hour target.
    for (t, minutes) in tickets.iter().zip([10, 20, 30, 90]) {
        w.now = monday + Duration::minutes(minutes);
        w.desk.handle_timeout(&mut w.store, w.now).unwrap();
        w.run(Command::reply(*t, ana, "On it")).unwrap();
    }
    // A private message on X answered after 4 minutes, and an email
    // nobody answered.
    w.now = monday + Duration::hours(2);
    let chat_id = w.ids.next_id();
    let jane_x = w.jane_x.clone();
    w.run(Command::new(
        Actor::integration("inbound"),
        TicketAction::Receive(InboundMessage::new(
            chat_id,
            Channel::Social {
                network: fanatical::channel::SocialNetwork::X,
                visibility: fanatical::channel::Visibility::Private,
            },
            jane_x,
            "Help?",
        )),
    ))
    .unwrap();
    w.now += Duration::minutes(4);
    w.run(Command::reply(chat_id, ana, "Here!")).unwrap();
    let unanswered = email(&mut w, "Another thing");
    // Solve two on Tuesday.
    w.now = monday + Duration::days(1);
    for t in &tickets[..2] {
        w.run(Command::new(
            Actor::integration("setup"),
            TicketAction::Update {
                ticket: *t,
                command: TicketCommand::Assign(Some(ana)),
            },
        ))
        .unwrap();
        w.run(Command::new(
            Actor::integration("setup"),
            TicketAction::Update {
                ticket: *t,
                command: TicketCommand::SetStatus(Status::Solved),
            },
        ))
        .unwrap();
    }

    let m = w.desk.tickets().metrics(monday, monday + Duration::days(2));
    assert_eq!(m.opened, 6);
    let email_frt = m.first_response[&ChannelKind::Email];
    assert_eq!(email_frt.count, 4);
    assert_eq!(email_frt.median, Duration::minutes(20));
    assert_eq!(email_frt.p90, Duration::minutes(90));
    assert_eq!(
        m.first_response[&ChannelKind::Social].median,
        Duration::minutes(4)
    );
    assert_eq!(m.unanswered, 1);
    let frt = m.sla.by_metric[&Metric::FirstResponse];
    assert_eq!(
        (frt.met, frt.breached),
        (4, 1),
        "three emails and the X message in time, one email late"
    );
    // Attainment goes to whoever has the ticket.
    assert_eq!(m.sla.by_agent[&bill].breached, 1);
    assert_eq!(m.sla.by_agent[&ana].breached, 0);
    assert_eq!(m.sla.by_metric[&Metric::Resolution].met, 2);
    // Six open on Monday at the peak, four left on Tuesday.
    let monday_date = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
    assert_eq!(m.daily_queue[&monday_date], 6);
    assert_eq!(
        m.daily_queue[&monday_date.succ_opt().unwrap()],
        6,
        "the day's peak, before the solves"
    );
    assert_eq!(m.peak_queue, Some((monday_date, 6)));
    // Same subject within a week: three repeats of the first.
    assert_eq!(m.repeat_contacts, 3);
    assert_eq!(m.repeat_contact_rate(), Some(50.0));
    assert_eq!(m.nps.promoters + m.nps.passives + m.nps.detractors, 0);
    assert_eq!(
        w.desk
            .tickets()
            .get(unanswered)
            .unwrap()
            .conversation()
            .len(),
        1,
        "the one unanswered: nothing but her message"
    );
    // A period before anything happened is empty.
    let before = w.desk.tickets().metrics(monday - Duration::days(7), monday);
    assert_eq!(before.opened, 0);
    assert!(before.first_response.is_empty());
    assert_eq!(before.peak_queue.map(|(_, n)| n), Some(0));
}

#[test]
fn a_late_reply_counts_as_breached_even_when_no_timer_fired() {
    let mut w = World::with_config(DeskConfig::default().with_sla(crate::sla_desk::policies()));
    let monday = Utc.with_ymd_and_hms(2026, 11, 2, 15, 0, 0).unwrap();
    w.now = monday;
    let ana = w.ana;
    let t = email(&mut w, "Site down");
    // Nobody runs the timers; the reply comes two business hours later.
    w.now = monday + Duration::hours(2);
    w.run(Command::reply(t, ana, "Sorry for the wait")).unwrap();
    let sla = w.desk.tickets().sla(t).unwrap();
    let first = sla
        .metrics()
        .iter()
        .find(|m| m.key.metric == Metric::FirstResponse)
        .unwrap();
    assert_eq!(first.breached, Some(monday + Duration::hours(1)));
    let m = w.desk.tickets().metrics(monday, monday + Duration::days(1));
    let frt = m.sla.by_metric[&Metric::FirstResponse];
    assert_eq!((frt.met, frt.breached), (0, 1));
}

/// Story 003, "remember family names": with Jane's consent, the briefing
/// on her ticket carries her family's names and her interests; without
/// consent, or once she withdraws it, nothing.
#[test]
fn the_briefing_remembers_family_names_and_interests_only_with_consent() {
    use fanatical::customer::{ConsentSource, CustomerCommand, FamilyMember, Interest, Relation};
    use fanatical::desk::CustomerAction;
    use fanatical::metrics::ConversationStarter;
    let mut w = World::new();
    let (acme, jane, ana) = (w.acme, w.jane, w.ana);
    let update = |w: &mut World, command| {
        w.run(Command::new(
            Actor::integration("crm"),
            CustomerAction::Update {
                customer: acme,
                command,
            },
        ))
        .unwrap();
    };
    let ticket = email(&mut w, "Cluster upgrade");
    let now = w.now;
    let briefing = |w: &World| {
        w.desk
            .customers()
            .care_briefing(ticket, now)
            .unwrap()
            .conversation_starter
    };
    assert_eq!(briefing(&w), None, "nothing held, nothing shown");
    update(
        &mut w,
        CustomerCommand::RecordConsent {
            contact: jane,
            source: ConsentSource::Agent(ana),
        },
    );
    assert_eq!(briefing(&w), None, "consent alone holds nothing");
    update(
        &mut w,
        CustomerCommand::AddFamilyMember {
            contact: jane,
            name: "Lily".into(),
            relation: Relation::Child,
        },
    );
    update(
        &mut w,
        CustomerCommand::AddInterest {
            contact: jane,
            interest: Interest {
                topic: "favourite team".into(),
                detail: "San Antonio Spurs".into(),
            },
        },
    );
    assert_eq!(
        briefing(&w),
        Some(ConversationStarter {
            contact: jane,
            name: "Jane Doe".into(),
            family: vec![FamilyMember {
                name: "Lily".into(),
                relation: Relation::Child,
            }],
            interests: vec![Interest {
                topic: "favourite team".into(),
                detail: "San Antonio Spurs".into(),
            }],
        })
    );
    update(&mut w, CustomerCommand::WithdrawConsent { contact: jane });
    assert_eq!(briefing(&w), None, "withdrawn consent erases the details");
}

/// Story 002, "cut their average peak daily phone queue in half": the
/// daily queue is counted per channel, in the desk's time zone, so the
/// peak daily phone queue reads off directly.
#[test]
fn the_peak_daily_phone_queue_is_counted_per_channel_in_the_desks_time_zone() {
    use fanatical::metrics::QueuePeak;
    let config = DeskConfig::default().with_time_zone(chrono_tz::America::Chicago);
    let mut w = World::with_config(config);
    let (jane_phone, jane_email) = (w.jane_phone.clone(), w.jane_email.clone());
    let receive = |w: &mut World, channel: Channel, from, body: &str| -> TicketId {
        let id = w.ids.next_id();
        w.run(Command::new(
            Actor::integration("inbound"),
            TicketAction::Receive(InboundMessage::new(id, channel, from, body)),
        ))
        .unwrap();
        id
    };
    // Monday 23 November, 20:00 to 20:30 in Chicago (02:00 Tuesday UTC):
    // three calls and an email, all on Monday in Chicago.
    let monday_evening = chrono_tz::America::Chicago
        .with_ymd_and_hms(2026, 11, 23, 20, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    w.now = monday_evening;
    let mut calls = Vec::new();
    for n in 0..3 {
        w.tick(10);
        calls.push(receive(
            &mut w,
            Channel::Phone,
            jane_phone.clone(),
            &format!("call {n}"),
        ));
    }
    receive(&mut w, Channel::Email, jane_email.clone(), "an email");
    // Tuesday morning in Chicago: two calls solved, one more comes in.
    w.now = monday_evening + Duration::hours(14);
    let ana = w.ana;
    for t in &calls[..2] {
        w.run(Command::new(
            Actor::integration("setup"),
            TicketAction::assign(*t, ana),
        ))
        .unwrap();
        w.run(Command::new(
            Actor::integration("setup"),
            TicketAction::Update {
                ticket: *t,
                command: TicketCommand::SetStatus(Status::Solved),
            },
        ))
        .unwrap();
    }
    w.tick(5);
    receive(&mut w, Channel::Phone, jane_phone, "call 3");
    let from = chrono_tz::America::Chicago
        .with_ymd_and_hms(2026, 11, 23, 0, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    let m = w.desk.tickets().metrics(from, from + Duration::days(2));
    let monday = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let tuesday = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    assert_eq!(
        m.daily_queue_by_channel[&ChannelKind::Phone],
        BTreeMap::from([(monday, 3), (tuesday, 3)]),
        "Tuesday starts with three, two are solved, one comes in"
    );
    assert_eq!(
        m.daily_queue_by_channel[&ChannelKind::Email],
        BTreeMap::from([(monday, 1), (tuesday, 1)])
    );
    assert_eq!(
        m.peak_queue_by_channel[&ChannelKind::Phone],
        QueuePeak {
            day: monday,
            tickets: 3
        }
    );
    assert_eq!(m.daily_queue, BTreeMap::from([(monday, 4), (tuesday, 4)]));
    assert_eq!(m.peak_queue, Some((monday, 4)));
}

/// Metrics at the ends of time in a desk whose time zone is ahead of UTC
/// never panic (a local time past chrono's range keeps its UTC date).
#[test]
fn metrics_at_the_ends_of_time_in_any_time_zone_never_panic() {
    use chrono::DateTime;
    for tz in [chrono_tz::Asia::Tokyo, chrono_tz::America::Chicago] {
        let w = World::with_config(DeskConfig::default().with_time_zone(tz));
        let end = DateTime::<Utc>::MAX_UTC;
        let m = w.desk.tickets().metrics(end - Duration::days(2), end);
        assert_eq!(m.opened, 0);
        assert!(m.daily_queue.values().all(|n| *n == 0));
        let start = DateTime::<Utc>::MIN_UTC;
        let m = w.desk.tickets().metrics(start, start + Duration::days(2));
        assert!(m.daily_queue.values().all(|n| *n == 0));
    }
}
