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

/// The company account's review, on a desk where any agent may be the
/// second person on a held post (by default only leads and executives
/// approve).
pub fn config() -> DeskConfig {
    let hours =
        BusinessCalendar::weekdays(Chicago, DayHours::parse(&[("07:00", "22:00")]).unwrap());
    DeskConfig::default()
        .with_guard(GuardPolicy::default_policy().with_account(OfficialAccount {
            network: SocialNetwork::X,
            handle: "@Rackspace".into(),
            hours: Some(hours),
        }))
        .with_permissions(fanatical::permission::PermissionTable::defaults().grant(
            fanatical::agent::Role::Agent,
            fanatical::permission::Permission::ApprovePosts,
            fanatical::permission::Scope::All,
        ))
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
    // A clean post goes straight out, publicly, from the official account
    // (under the handle as the author spelled it: X handles ignore case).
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
    assert_eq!(
        out[0].message.recipient,
        Recipient::Public {
            network: SocialNetwork::X,
            handle: "@rackspace".into()
        }
    );
    assert_eq!(
        out[0].message.body,
        "The DFW datacenter is back on utility power. Details on our status page."
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

/// Jane writes to the company publicly on X; returns the ticket.
fn jane_tweets(w: &mut World, body: &str) -> fanatical::id::TicketId {
    let id = w.ids.next_id();
    let msg = fanatical::desk::InboundMessage::new(
        id,
        Channel::Social {
            network: SocialNetwork::X,
            visibility: Visibility::Public,
        },
        w.jane_x.clone(),
        body,
    );
    w.run(Command::new(
        Actor::integration("inbound"),
        fanatical::desk::TicketAction::Receive(msg),
    ))
    .unwrap();
    id
}

/// What went out to Jane on X, by body.
fn sent_to_jane_on_x(w: &World) -> Vec<String> {
    w.desk
        .channels()
        .outbox()
        .filter(|m| {
            matches!(&m.message.recipient, Recipient::Contact { address, .. } if *address == w.jane_x)
        })
        .map(|m| m.message.body.clone())
        .collect()
}

fn held_reply(w: &World, ticket: fanatical::id::TicketId) -> Option<PostId> {
    w.desk
        .channels()
        .posts()
        .find(|r| {
            r.post.reply.as_ref().is_some_and(|p| p.ticket == ticket)
                && matches!(r.state, PostState::Held { .. })
        })
        .map(|r| r.post.id)
}

fn replies_on(w: &World, ticket: fanatical::id::TicketId) -> usize {
    w.desk
        .tickets()
        .get(ticket)
        .unwrap()
        .conversation()
        .iter()
        .filter(|e| matches!(e.author, fanatical::ticket::Author::Agent(_)))
        .count()
}

#[test]
fn a_public_reply_from_the_company_account_is_held_until_a_second_person_approves_it() {
    // The default configuration: the guard's rules are on.
    let mut w = World::new();
    let (ana, bill) = (w.ana, w.bill);
    let ticket = jane_tweets(&mut w, "@Rackspace my site has been down for an hour");
    w.run(Command::reply(
        ticket,
        ana,
        "So sorry! We guarantee this will never happen again.",
    ))
    .unwrap();
    let post = held_reply(&w, ticket).expect("the public reply is held as an official post");
    let PostState::Held { holds } = &w.desk.channels().post(post).unwrap().state else {
        panic!("held")
    };
    assert_eq!(holds[0].rule, "public_promises");
    assert!(
        sent_to_jane_on_x(&w).is_empty(),
        "nothing goes out while held"
    );
    assert_eq!(replies_on(&w, ticket), 0, "nor is it on the ticket yet");
    // Time passing and timers firing release nothing.
    w.tick(60);
    let now = w.now;
    w.desk.handle_timeout(&mut w.store, now).unwrap();
    assert!(sent_to_jane_on_x(&w).is_empty());
    // The author, an agent, may not approve posts at all; made a team
    // lead, she still cannot release her own: the rule needs a second
    // person.
    let denied = crate::support::denied(
        &w.desk,
        Actor::Agent(ana),
        fanatical::permission::Permission::ApprovePosts,
        None,
    );
    w.refused(
        Command::new(Actor::Agent(ana), PostAction::Approve { post }),
        denied,
    );
    w.run(Command::new(
        Actor::integration("setup"),
        fanatical::desk::PeopleAction::UpdateAgent {
            agent: ana,
            command: fanatical::agent::AgentCommand::GrantRole(fanatical::agent::Role::TeamLead),
        },
    ))
    .unwrap();
    w.refused(
        Command::new(Actor::Agent(ana), PostAction::Approve { post }),
        GuardError::SecondPersonRequired {
            post,
            rule: "public_promises".into(),
        },
    );
    w.run(Command::new(
        Actor::Agent(bill),
        PostAction::Approve { post },
    ))
    .unwrap();
    assert_eq!(
        sent_to_jane_on_x(&w),
        vec!["So sorry! We guarantee this will never happen again."]
    );
    let sent = w
        .desk
        .channels()
        .outbox()
        .find(|m| m.message.ticket == Some(ticket))
        .unwrap();
    assert_eq!(
        sent.message.channel,
        Channel::Social {
            network: SocialNetwork::X,
            visibility: Visibility::Public
        }
    );
    let t = w.desk.tickets().get(ticket).unwrap();
    let reply = t.conversation().last().unwrap();
    assert_eq!(reply.author, fanatical::ticket::Author::Agent(ana));
    assert_eq!(
        w.desk.channels().post(post).unwrap().state,
        PostState::Published {
            approved_by: Some(bill)
        }
    );
    assert_eq!(
        Desk::rebuild(&w.store, DeskConfig::default()).unwrap(),
        w.desk
    );
}

#[test]
fn a_rejected_public_reply_never_goes_out() {
    let mut w = World::new();
    let (ana, bill) = (w.ana, w.bill);
    let ticket = jane_tweets(&mut w, "@Rackspace is this your fault?");
    w.run(Command::reply(
        ticket,
        ana,
        "Yes, it was their fault, not ours.",
    ))
    .unwrap();
    let post = held_reply(&w, ticket).unwrap();
    w.run(Command::new(
        Actor::Agent(bill),
        PostAction::Reject {
            post,
            reason: "no blame in public".into(),
        },
    ))
    .unwrap();
    w.refused(
        Command::new(Actor::Agent(bill), PostAction::Approve { post }),
        GuardError::NotHeld(post),
    );
    w.tick(24 * 60);
    let now = w.now;
    w.desk.handle_timeout(&mut w.store, now).unwrap();
    assert!(sent_to_jane_on_x(&w).is_empty());
    assert_eq!(replies_on(&w, ticket), 0);
    // A reply that passes review goes out at once, on the same ticket.
    w.run(Command::reply(ticket, ana, "We are looking into it now."))
        .unwrap();
    assert_eq!(sent_to_jane_on_x(&w), vec!["We are looking into it now."]);
    assert_eq!(replies_on(&w, ticket), 1);
}

#[test]
fn a_reply_the_ticket_would_refuse_is_refused_not_held_and_private_replies_are_not_reviewed() {
    let mut w = World::new();
    let ana = w.ana;
    let ticket = jane_tweets(&mut w, "@Rackspace help");
    let posts = w.desk.channels().posts().count();
    w.refused(
        Command::reply(ticket, ana, "   "),
        fanatical::ticket::TicketError::EmptyBody(ticket),
    );
    assert_eq!(w.desk.channels().posts().count(), posts);
    // A direct message is not an official account speaking in public.
    let dm = fanatical::desk::Command::reply_on(
        ticket,
        fanatical::ticket::Author::Agent(ana),
        Channel::Social {
            network: SocialNetwork::X,
            visibility: Visibility::Private,
        },
        "Having fun at Sea World? Send us your account number by DM.",
        vec![],
    );
    w.run(dm).unwrap();
    assert_eq!(w.desk.channels().posts().count(), posts);
    assert_eq!(replies_on(&w, ticket), 1);
    assert_eq!(
        sent_to_jane_on_x(&w),
        vec!["Having fun at Sea World? Send us your account number by DM."]
    );
}

#[test]
fn the_default_guard_policy_has_its_rules_on_and_no_review_is_asked_for_by_name() {
    let now = crate::support::t0();
    let promise = "We guarantee 100% uptime.";
    assert_eq!(
        GuardPolicy::default()
            .review(promise, now)
            .iter()
            .map(|h| h.rule.as_str())
            .collect::<Vec<_>>(),
        vec!["public_promises"]
    );
    assert_eq!(GuardPolicy::default(), GuardPolicy::default_policy());
    assert_eq!(DeskConfig::default().guard, GuardPolicy::default());
    // A configuration that leaves the rules out gets the safe ones.
    let read: GuardPolicy = serde_json::from_str(r#"{"accounts": []}"#).unwrap();
    assert_eq!(read, GuardPolicy::default());
    let off: GuardPolicy = serde_json::from_str(r#"{"rules": []}"#).unwrap();
    assert_eq!(off, GuardPolicy::without_rules());
    assert!(GuardPolicy::without_rules().review(promise, now).is_empty());
    // With review turned off by name, the same reply goes straight out.
    let mut w = World::with_config(DeskConfig::default().with_guard(GuardPolicy::without_rules()));
    let ticket = jane_tweets(&mut w, "@Rackspace down again");
    let ana = w.ana;
    w.run(Command::reply(ticket, ana, promise)).unwrap();
    assert_eq!(sent_to_jane_on_x(&w), vec![promise]);
}

#[test]
fn an_incidents_final_message_a_rule_would_hold_leaves_a_public_ticket_to_a_person() {
    use fanatical::desk::IncidentAction;
    use fanatical::incident::{Audience, IncidentEventKind, IncidentStatus, Messages};
    let mut o = crate::incidents::outage_world(crate::incidents::config());
    let id: fanatical::id::IncidentId = o.w.ids.next_id();
    crate::incidents::declare(&mut o, id);
    let ticket = jane_tweets(&mut o.w, "@Rackspace all our sites are down");
    let boss = o.boss;
    o.w.run(Command::new(
        Actor::Agent(boss),
        IncidentAction::LinkTickets {
            incident: id,
            tickets: vec![ticket],
        },
    ))
    .unwrap();
    o.w.run(Command::new(
        Actor::Agent(boss),
        IncidentAction::Update {
            incident: id,
            status: IncidentStatus::Resolved,
            components: std::collections::BTreeMap::new(),
            messages: Messages::from([(Audience::Business, "We are back.".to_owned())]),
            spokesperson: None,
            solve_linked: Some("Fixed, and we guarantee it will never happen again.".into()),
        },
    ))
    .unwrap();
    assert!(
        sent_to_jane_on_x(&o.w).is_empty(),
        "no unreviewed public reply"
    );
    let t = o.w.desk.tickets().get(ticket).unwrap();
    assert!(t.status().is_unsolved(), "left for a person");
    let left_open =
        o.w.desk
            .incidents()
            .get(id)
            .unwrap()
            .events()
            .iter()
            .find_map(|e| match &e.kind {
                IncidentEventKind::Updated { left_open, .. } if !left_open.is_empty() => {
                    Some(left_open.clone())
                }
                _ => None,
            })
            .unwrap();
    assert_eq!(
        left_open,
        vec![(
            ticket,
            GuardError::ReplyHeld {
                ticket,
                rule: "public_promises".into()
            }
            .to_string()
        )]
    );
}
