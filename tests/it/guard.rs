//! Guardrails: official posts pass review before they go out.

use chrono::TimeZone;
use chrono_tz::America::Chicago;
use fanatical::actor::Actor;
use fanatical::channel::{Channel, SocialNetwork, Visibility};
use fanatical::guard::PostAction;

use fanatical::desk::{Command, Desk, DeskConfig};
use fanatical::guard::{GuardError, GuardPolicy, OfficialAccount, PostState};
use fanatical::id::{AgentId, PostId};
use fanatical::outbox::Recipient;
use fanatical::sla::{BusinessCalendar, DayHours};

use crate::support::World;

pub fn config() -> DeskConfig {
    let hours =
        BusinessCalendar::weekdays(Chicago, DayHours::parse(&[("07:00", "22:00")]).unwrap());
    DeskConfig::default().with_guard(GuardPolicy::default_policy().with_account(OfficialAccount {
        network: SocialNetwork::X,
        handle: "@Rackspace".into(),
        hours: Some(hours),
    }))
}

fn submit(w: &mut World, author: AgentId, text: &str) -> Result<PostId, fanatical::Error> {
    let post: PostId = w.ids.next_id();
    w.run(Command::new(
        Actor::Agent(author),
        PostAction::Submit {
            post,
            network: SocialNetwork::X,
            handle: "@rackspace".into(),
            text: text.into(),
        },
    ))?;
    Ok(post)
}

fn published(w: &World) -> Vec<String> {
    w.desk
        .channels()
        .outbox()
        .filter(|m| matches!(m.message.recipient, Recipient::Public { .. }))
        .map(|m| m.message.body.clone())
        .collect()
}

#[test]
fn sea_world_from_the_company_account_is_held_and_needs_a_second_person() {
    let mut w = World::with_config(config());
    w.now = Chicago
        .with_ymd_and_hms(2026, 11, 2, 15, 0, 0)
        .unwrap()
        .with_timezone(&chrono::Utc);
    let (ana, bill) = (w.ana, w.bill);
    let post = submit(&mut w, ana, "Having fun at Sea-World with the kids!").unwrap();
    let fanatical::guard::PostRecord { state, .. } = w.desk.channels().post(post).unwrap();
    let PostState::Held { holds } = state else {
        panic!("{state:?}")
    };
    assert_eq!(holds.len(), 1, "one hold per rule: {holds:?}");
    assert_eq!(
        (holds[0].rule.as_str(), holds[0].matched.as_str()),
        ("personal_content", "having fun")
    );
    assert!(published(&w).is_empty(), "nothing goes out while held");
    w.refused(
        Command::new(Actor::Agent(ana), PostAction::Approve { post }),
        GuardError::SecondPersonRequired {
            post,
            rule: "personal_content".into(),
        },
    );
    w.run(Command::new(
        Actor::Agent(bill),
        PostAction::Reject {
            post,
            reason: "personal account, please".into(),
        },
    ))
    .unwrap();
    assert!(
        matches!(w.desk.channels().post(post).unwrap().state, PostState::Rejected { by, .. } if by == bill)
    );
    w.refused(
        Command::new(Actor::Agent(bill), PostAction::Approve { post }),
        GuardError::NotHeld(post),
    );
    // A clean post goes straight out, publicly, from the official handle.
    submit(
        &mut w,
        ana,
        "The DFW datacenter is back on utility power. Details on our status page.",
    )
    .unwrap();
    let out: Vec<_> = w
        .desk
        .channels()
        .outbox()
        .filter(|m| matches!(m.message.recipient, Recipient::Public { .. }))
        .collect();
    assert_eq!(out.len(), 1);
    assert_eq!(
        out[0].message.channel,
        Channel::Social {
            network: SocialNetwork::X,
            visibility: Visibility::Public
        }
    );
    assert_eq!(Desk::rebuild(&w.store, config()).unwrap(), w.desk);
}

#[test]
fn a_second_person_can_approve_and_off_hours_posts_are_reviewed() {
    let mut w = World::with_config(config());
    let (ana, bill) = (w.ana, w.bill);
    // 3 a.m. in Chicago: outside the account's hours.
    w.now = Chicago
        .with_ymd_and_hms(2026, 11, 2, 3, 0, 0)
        .unwrap()
        .with_timezone(&chrono::Utc);
    let late = submit(&mut w, ana, "Maintenance finished early tonight.").unwrap();
    let PostState::Held { holds } = &w.desk.channels().post(late).unwrap().state else {
        panic!()
    };
    assert_eq!(
        holds.iter().map(|h| h.rule.as_str()).collect::<Vec<_>>(),
        vec!["off_hours"]
    );
    // Off-hours needs no second person: the author may release it after review.
    w.run(Command::new(
        Actor::Agent(ana),
        PostAction::Approve { post: late },
    ))
    .unwrap();
    assert_eq!(published(&w), vec!["Maintenance finished early tonight."]);
    w.now = Chicago
        .with_ymd_and_hms(2026, 11, 2, 12, 0, 0)
        .unwrap()
        .with_timezone(&chrono::Utc);
    let promise = submit(&mut w, ana, "We guarantee this will never happen again.").unwrap();
    w.run(Command::new(
        Actor::Agent(bill),
        PostAction::Approve { post: promise },
    ))
    .unwrap();
    assert!(
        matches!(w.desk.channels().post(promise).unwrap().state, PostState::Published { approved_by: Some(b) } if b == bill)
    );
    // Whole words: "guaranteed" is not "guarantee".
    assert!(
        GuardPolicy::default_policy()
            .review("Uptime is guaranteed by the SLA credits.", w.now)
            .is_empty()
    );
}

#[test]
fn bad_posts_are_refused() {
    let mut w = World::with_config(config());
    let ana = w.ana;
    let post: PostId = w.ids.next_id();
    w.refused(
        Command::new(
            Actor::Agent(ana),
            PostAction::Submit {
                post,
                network: SocialNetwork::Facebook,
                handle: "@Rackspace".into(),
                text: "hi".into(),
            },
        ),
        GuardError::UnknownAccount {
            network: SocialNetwork::Facebook,
            handle: "@Rackspace".into(),
        },
    );
    w.refused(
        Command::new(
            Actor::Agent(ana),
            PostAction::Submit {
                post,
                network: SocialNetwork::X,
                handle: "@Rackspace".into(),
                text: "  ".into(),
            },
        ),
        GuardError::EmptyPost,
    );
    let ghost: PostId = w.ids.next_id();
    w.refused(
        Command::new(Actor::Agent(ana), PostAction::Approve { post: ghost }),
        GuardError::UnknownPost(ghost),
    );
}
