//! Every error variant the crate returns, provoked through the public API
//! and matched exactly (issue 15, item 2).
//!
//! How coverage was established: every `pub enum` of errors or problems
//! under `src/` (the crate `Error`, each module's error enum, and the
//! problems they carry: `SurveyProblem`, `ResponseProblem`,
//! `GraphProblem`, `OrgProblem`, `CreditProblem`) and the error structs
//! (`IdError`, `BlankText`, `DurationOutOfRange`) were listed with their
//! variants by a script; for each variant, `Enum::Variant` was searched
//! for in the behaviour tests (`tests/it/`), the unit tests and doctests
//! under `src/`, the store conformance suite and `stores/sqlite/tests/`,
//! and each hit was read: it counts when the error is produced by a call
//! a user can make and matched with `assert_eq!`, `matches!` or
//! `let … else` on that variant, not when the error is only built (as in
//! the table of error kinds in `src/error.rs`). The crate `Error`'s
//! wrapping variants count when a command or view returning the crate
//! error is compared with `assert_eq!` (as [`World::refused`] does).
//!
//! This file holds a test for each variant that had none. Each is
//! provoked the way a user could: through the desk where a command is the
//! way in (then [`World::refused`] also checks that neither the desk nor
//! the store changed), otherwise through the public type's own method.
//! Each is matched with its fields. The SQLite store's backend and corrupt
//! row errors are in `stores/sqlite/tests/errors.rs`.
//!
//! Not produced here, because no public call of the crate produces them:
//! - `TransportError::Rejected` is for a `Transport` a user writes (the
//!   in-memory `RecordingTransport` only fails `Unavailable`).
//! - `DeskError::IdTaken` is a last check behind each area's own refusal
//!   of a taken id (`GuardError::DuplicatePost`,
//!   `RecognitionError::DuplicatePraise`, `SurveyError::DuplicateInvitation`)
//!   and the reserved-id rule (`DeskError::ReservedId`), which every
//!   command meets first; its unit test in `src/desk/tests.rs` reaches it
//!   through a crate-internal helper.
//! - `Error::Id` and `Error::Transport` are returned by no function of the
//!   crate: they are there for a caller's `?`.
//!
//! The calendar's wire errors (`SlaError::UnknownZone`,
//! `SlaError::UnknownWeekday`, `SlaError::MalformedDate`, `SlaError::OnDay`)
//! reach a user only as the text of a deserialization error: that text is
//! matched, equal to the variant's.
//!
//! [`World::refused`]: crate::support::World::refused

use fanatical::actor::Actor;
use fanatical::channel::{Channel, ChannelAddress};
use fanatical::desk::TicketAction;
use fanatical::desk::{Command, CustomerAction, DeskError, InboundMessage, PeopleAction};
use fanatical::id::{TeamId, TicketId};

use crate::support::World;

fn setup() -> Actor {
    Actor::integration("setup")
}

fn inbound(msg: InboundMessage) -> Command {
    Command::new(Actor::integration("inbound"), TicketAction::Receive(msg))
}

mod desk {
    use fanatical::agent::TeamCommand;
    use fanatical::customer::{ConsentSource, CustomerCommand};
    use fanatical::survey::{SurveyAction, SurveyKind};
    use fanatical::ticket::TicketCommand;

    use super::*;

    #[test]
    fn an_unknown_team_is_refused_on_a_ticket_and_when_updated() {
        let mut w = World::new();
        let ghost: TeamId = w.ids.next_id();
        let t = w.jane_emails("help");
        w.refused(
            Command::new(
                setup(),
                TicketAction::Update {
                    ticket: t,
                    command: TicketCommand::SetTeam(Some(ghost)),
                },
            ),
            DeskError::UnknownTeam(ghost),
        );
        w.refused(
            Command::new(
                setup(),
                PeopleAction::UpdateTeam {
                    team: ghost,
                    command: TeamCommand::Rename("Night shift".into()),
                },
            ),
            DeskError::UnknownTeam(ghost),
        );
    }

    #[test]
    fn a_message_from_an_address_that_cannot_send_on_its_channel_is_refused() {
        let mut w = World::new();
        let id: TicketId = w.ids.next_id();
        let email = w.jane_email.clone();
        // Jane's email address says it came by phone.
        w.refused(
            inbound(InboundMessage::new(id, Channel::Phone, email.clone(), "hi")),
            DeskError::AddressNotOnChannel {
                address: email,
                channel: Channel::Phone,
            },
        );
    }

    #[test]
    fn a_reply_into_another_customers_ticket_is_refused() {
        let mut w = World::new();
        let janes = w.jane_emails("our site is down");
        let id: TicketId = w.ids.next_id();
        let (tom, tom_email, acme) = (w.tom, w.tom_email.clone(), w.acme);
        w.refused(
            inbound(
                InboundMessage::new(id, Channel::Email, tom_email, "me too").in_reply_to(janes),
            ),
            DeskError::ForeignContact {
                contact: tom,
                customer: acme,
            },
        );
    }

    #[test]
    fn consent_given_by_another_contact_is_refused() {
        let mut w = World::new();
        let (acme, jane, tom) = (w.acme, w.jane, w.tom);
        w.refused(
            Command::new(
                setup(),
                CustomerAction::Update {
                    customer: acme,
                    command: CustomerCommand::RecordConsent {
                        contact: jane,
                        source: ConsentSource::Contact(tom),
                    },
                },
            ),
            DeskError::ConsentByOtherContact {
                contact: jane,
                given_by: tom,
            },
        );
    }

    #[test]
    fn a_survey_for_a_customer_nobody_can_be_emailed_at_is_refused() {
        let mut w = World::new();
        let (phoneless, ivan) = (w.ids.next_id(), w.ids.next_id());
        for command in [
            Command::new(
                setup(),
                CustomerAction::Register {
                    id: phoneless,
                    organisation: "Phone Only Ltd".into(),
                },
            ),
            Command::new(
                setup(),
                CustomerAction::Update {
                    customer: phoneless,
                    command: CustomerCommand::AddContact {
                        contact: ivan,
                        name: "Ivan".into(),
                        addresses: vec![ChannelAddress::phone("+1 210 555 0199").unwrap()],
                    },
                },
            ),
        ] {
            w.run(command).unwrap();
        }
        let invitation = w.ids.next_id();
        w.refused(
            Command::new(
                setup(),
                SurveyAction::Send {
                    invitation,
                    survey: "csat".into(),
                    kind: SurveyKind::Csat,
                    customer: phoneless,
                    ticket: None,
                    agent: None,
                },
            ),
            DeskError::NoEmail(phoneless),
        );
    }
}

mod tickets {
    use fanatical::ticket::{Attachment, Author, OpenTicket, TicketError};

    use super::*;

    #[test]
    fn a_ticket_opened_with_a_blank_subject_is_refused() {
        let mut w = World::new();
        let id: TicketId = w.ids.next_id();
        let acme = w.acme;
        w.refused(
            Command::new(
                setup(),
                TicketAction::Open(OpenTicket::new(id, acme, " \t ", Channel::Phone)),
            ),
            TicketError::EmptySubject(id),
        );
    }

    #[test]
    fn a_reply_with_more_attachments_than_the_rules_allow_is_refused() {
        let mut w = World::new();
        let t = w.jane_emails("send me the logs");
        let ana = w.ana;
        let limit = w.desk.config().ticket_rules.max_attachments_per_entry;
        let files: Vec<Attachment> = (0..=limit)
            .map(|i| Attachment::new(&format!("log-{i}.txt"), "text/plain", 10).unwrap())
            .collect();
        w.refused(
            Command::reply_on(t, Author::Agent(ana), Channel::Email, "logs", files),
            TicketError::TooManyAttachments {
                count: limit + 1,
                limit,
            },
        );
    }

    #[test]
    fn an_escalation_to_a_blank_department_is_refused() {
        let mut w = World::new();
        let t = w.jane_emails("billing is wrong");
        let ana = w.ana;
        w.refused(
            Command::new(
                Actor::Agent(ana),
                TicketAction::Escalate {
                    ticket: t,
                    department: "  ".into(),
                    reason: "they own invoices".into(),
                    context: vec![],
                    notify: vec![],
                },
            ),
            TicketError::EmptyDepartment(t),
        );
    }
}

mod customers {
    use fanatical::channel::ChannelError;
    use fanatical::customer::{Customer, CustomerCommand, CustomerError};

    use super::*;

    #[test]
    fn a_customer_registered_with_a_blank_name_is_refused() {
        let mut w = World::new();
        let id = w.ids.next_id();
        w.refused(
            Command::new(
                setup(),
                CustomerAction::Register {
                    id,
                    organisation: "   ".into(),
                },
            ),
            CustomerError::Empty {
                what: "organisation name",
            },
        );
    }

    #[test]
    fn removing_an_address_the_contact_does_not_have_is_refused() {
        let mut w = World::new();
        let (acme, jane, toms) = (w.acme, w.jane, w.tom_email.clone());
        w.refused(
            Command::new(
                setup(),
                CustomerAction::Update {
                    customer: acme,
                    command: CustomerCommand::RemoveAddress {
                        contact: jane,
                        address: toms.clone(),
                    },
                },
            ),
            CustomerError::UnknownAddress {
                contact: jane,
                address: toms,
            },
        );
    }

    /// An address built without its validating constructor (the enum's
    /// variants are public) is checked again: by the customer itself, and
    /// by the desk before the customer sees it.
    #[test]
    fn an_unvalidated_address_is_refused_by_the_customer_and_by_the_desk() {
        let mut w = World::new();
        let (acme, contact) = (w.acme, w.ids.next_id());
        let bad = ChannelAddress::Email("not an email".into());
        let add = CustomerCommand::AddContact {
            contact,
            name: "Nobody".into(),
            addresses: vec![bad],
        };
        let registered = Customer::register(acme, "Acme Hosting", w.now).unwrap();
        let customer = Customer::from_events(&registered).unwrap();
        assert_eq!(
            customer.handle(add.clone(), w.now),
            Err(CustomerError::Channel(ChannelError::InvalidEmail(
                "not an email".into()
            )))
        );
        w.refused(
            Command::new(
                setup(),
                CustomerAction::Update {
                    customer: acme,
                    command: add,
                },
            ),
            ChannelError::InvalidEmail("not an email".into()),
        );
        // A message from a malformed phone number is refused the same way.
        let id: TicketId = w.ids.next_id();
        let phone = ChannelAddress::Phone("call me".into());
        w.refused(
            inbound(InboundMessage::new(id, Channel::Phone, phone, "hi")),
            ChannelError::InvalidPhone("call me".into()),
        );
    }
}

mod channels {
    use fanatical::channel::{ChannelError, ChannelKind, SocialNetwork};

    use super::*;

    #[test]
    fn social_handles_chat_names_and_video_addresses_must_say_something() {
        for bad in ["two words", "@", "  "] {
            assert_eq!(
                ChannelAddress::social(SocialNetwork::X, bad),
                Err(ChannelError::InvalidHandle(bad.into()))
            );
        }
        assert_eq!(
            ChannelAddress::chat(" \t"),
            Err(ChannelError::EmptyAddress(ChannelKind::Chat))
        );
        assert_eq!(
            ChannelAddress::video(""),
            Err(ChannelError::EmptyAddress(ChannelKind::Video))
        );
    }
}

mod sla {
    use fanatical::chrono::{NaiveDate, Weekday};
    use fanatical::chrono_tz::America::Chicago;
    use fanatical::routing::{RoutingAgent, RoutingError};
    use fanatical::sla::{BusinessCalendar, DayHours, Shift, SlaError, TimeOfDay};

    use super::*;

    #[test]
    fn malformed_times_empty_and_overlapping_shifts_are_refused() {
        for bad in ["9:00", "24:30", "12:60", "noon"] {
            assert_eq!(
                TimeOfDay::parse(bad),
                Err(SlaError::MalformedTime(bad.into()))
            );
        }
        assert_eq!(
            Shift::new("17:00", "09:00"),
            Err(SlaError::EmptyShift {
                start: "17:00".into(),
                end: "09:00".into(),
            })
        );
        assert_eq!(
            DayHours::parse(&[("12:00", "17:00"), ("09:00", "13:00")]),
            Err(SlaError::OverlappingShifts {
                first: "09:00-13:00".into(),
                second: "12:00-17:00".into(),
            })
        );
    }

    #[test]
    fn an_exception_that_ends_before_it_starts_is_refused() {
        let (from, to) = (
            NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
            NaiveDate::from_ymd_opt(2026, 12, 24).unwrap(),
        );
        assert_eq!(
            crate::support::chicago_9_to_5()
                .with_exception(from, to, DayHours::closed())
                .unwrap_err(),
            SlaError::BackwardsRange { from, to }
        );
    }

    /// The wire form's own errors (a zone, a weekday key, a date, a day's
    /// hours) reach a user only inside a deserialization error: its text
    /// is the variant's, which is what is matched.
    #[test]
    fn a_calendar_read_from_config_names_its_wire_error() {
        let bad_shift = SlaError::EmptyShift {
            start: "17:00".into(),
            end: "09:00".into(),
        };
        let cases = [
            (
                r#"{"tz":"Mars/Olympus"}"#,
                SlaError::UnknownZone("Mars/Olympus".into()),
            ),
            (
                r#"{"tz":"UTC","hours":{"funday":[]}}"#,
                SlaError::UnknownWeekday("funday".into()),
            ),
            (
                r#"{"tz":"UTC","holidays":["2026-13-01"]}"#,
                SlaError::MalformedDate("2026-13-01".into()),
            ),
            (
                r#"{"tz":"UTC","hours":{"mon":[["17:00","09:00"]]}}"#,
                bad_shift.clone().on_day("mon"),
            ),
        ];
        for (json, want) in cases {
            let err = serde_json::from_str::<BusinessCalendar>(json)
                .unwrap_err()
                .to_string();
            assert_eq!(err, want.to_string(), "{json}");
        }
        assert_eq!(
            bad_shift.clone().on_day("mon"),
            SlaError::OnDay {
                day: "mon".into(),
                source: Box::new(bad_shift),
            }
        );
    }

    #[test]
    fn protecting_overlapping_windows_on_one_day_is_a_calendar_error() {
        let mut w = World::new();
        let hours =
            BusinessCalendar::weekdays(Chicago, DayHours::parse(&[("08:00", "18:00")]).unwrap());
        let rob = RoutingAgent::new(w.ids.next_id(), hours, [], 5)
            .protect_on(
                Weekday::Mon,
                DayHours::parse(&[("09:00", "11:00")]).unwrap(),
            )
            .unwrap();
        let err = rob
            .protect_on(
                Weekday::Mon,
                DayHours::parse(&[("10:00", "12:00")]).unwrap(),
            )
            .unwrap_err();
        assert_eq!(
            err,
            RoutingError::Sla(SlaError::OverlappingShifts {
                first: "09:00-11:00".into(),
                second: "10:00-12:00".into(),
            })
        );
    }
}

mod incidents {
    use std::collections::BTreeMap;

    use fanatical::chrono::Duration;
    use fanatical::customer::{AccountStanding, Currency, Money, Tier};
    use fanatical::desk::IncidentAction;
    use fanatical::id::IncidentId;
    use fanatical::incident::{
        ComponentState, CreditConfig, CreditPolicy, CreditProblem, Downtime, IncidentError,
        IncidentStatus, Messages, ReasonCode,
    };

    use super::*;
    use crate::incidents::{config, declare, outage_world};

    #[test]
    fn an_incident_declared_or_updated_with_nothing_to_say_is_refused() {
        let mut o = outage_world(config());
        let boss = o.boss;
        let id: IncidentId = o.w.ids.next_id();
        let component = fanatical::id::ComponentId::new("dfw1").unwrap();
        o.w.refused(
            Command::new(
                Actor::Agent(boss),
                IncidentAction::Declare {
                    incident: id,
                    title: "DFW1 power loss".into(),
                    commander: boss,
                    status: IncidentStatus::Investigating,
                    components: BTreeMap::from([(component, ComponentState::MajorOutage)]),
                    cadence: None,
                    messages: Messages::new(),
                },
            ),
            IncidentError::EmptyUpdate,
        );
        declare(&mut o, id);
        // The same status, no component change and no message.
        o.w.refused(
            Command::new(
                Actor::Agent(boss),
                IncidentAction::Update {
                    incident: id,
                    status: IncidentStatus::Investigating,
                    components: BTreeMap::new(),
                    messages: Messages::new(),
                    spokesperson: None,
                    solve_linked: None,
                },
            ),
            IncidentError::EmptyUpdate,
        );
    }

    #[test]
    fn reason_codes_must_be_one_word() {
        for bad in ["", "  ", "sla outage"] {
            assert_eq!(
                ReasonCode::new(bad),
                Err(IncidentError::InvalidReason(bad.into()))
            );
        }
        assert_eq!(
            CreditConfig::default().with_reason("good will", "a gesture"),
            Err(IncidentError::InvalidReason("good will".into()))
        );
    }

    fn outage_policy() -> CreditPolicy {
        CreditPolicy::new(ReasonCode::new("sla-outage").unwrap(), 500, 3000).unwrap()
    }

    #[test]
    fn credit_policies_with_a_negative_cap_or_a_weight_off_the_scale_are_refused() {
        assert_eq!(
            CreditPolicy::new(ReasonCode::new("sla-outage").unwrap(), 500, -1),
            Err(IncidentError::NegativeCap(-1))
        );
        let partial = CreditPolicy {
            partial_weight_percent: 101,
            ..outage_policy()
        };
        assert_eq!(
            partial.validate(),
            Err(IncidentError::InvalidWeight {
                what: "partial outage",
                got: 101,
            })
        );
        let degraded = CreditPolicy {
            degraded_weight_percent: -1,
            ..outage_policy()
        };
        assert_eq!(
            degraded.validate(),
            Err(IncidentError::InvalidWeight {
                what: "degraded",
                got: -1,
            })
        );
    }

    /// A policy that skipped the builders (set on the public field, as a
    /// config file may): the customer's credit cannot be computed, and
    /// says why.
    #[test]
    fn a_credit_under_a_policy_that_skipped_the_builders_is_an_invalid_policy_problem() {
        let mut credits = CreditConfig::default();
        credits.default = Some(CreditPolicy {
            cap_bp: -5,
            ..outage_policy()
        });
        let standing = AccountStanding {
            monthly_spend: Money {
                minor: 100_000,
                currency: Currency::new("USD").unwrap(),
            },
            tier: Tier::Standard,
        };
        let downtime = Downtime {
            major: Duration::hours(3),
            ..Downtime::default()
        };
        let mut w = World::new();
        let customer = w.ids.next_id();
        assert_eq!(
            credits.credit_for(customer, &standing, downtime),
            Err(CreditProblem::InvalidPolicy)
        );
    }
}

mod surveys {
    use fanatical::survey::SurveyProblem;
    use fanatical::survey::{GroupItem, Question, QuestionKind, SurveyDraft, SurveyError};

    #[test]
    fn a_group_rating_one_item_twice_is_refused() {
        let item = |id: &str, label: &str| GroupItem {
            id: id.into(),
            label: label.into(),
        };
        let draft = SurveyDraft::new("visit").question(Question::new(
            "rate",
            "Rate our technician",
            QuestionKind::Group {
                items: vec![item("1", "On time"), item("2", "Polite"), item("1", "Tidy")],
                allow_na: true,
            },
        ));
        assert_eq!(
            draft.validate().unwrap_err(),
            SurveyError::Invalid(vec![SurveyProblem::DuplicateItem {
                question: "rate".into(),
                item: "1".into(),
            }])
        );
    }
}

mod posts_and_deliveries {
    use fanatical::channel::SocialNetwork;
    use fanatical::error::BlankText;
    use fanatical::guard::{GuardError, PostAction, PostState, Posts};
    use fanatical::id::PostId;
    use fanatical::outbox::{Outbox, OutboxAction, OutboxError, RetryPolicy};
    use fanatical::transport::{Delivery, RecordingTransport, Transport, TransportError};

    use super::*;

    fn blank(what: &'static str) -> BlankText {
        BlankText::check(" \n\t", what).unwrap_err()
    }

    fn submit(post: PostId, text: &str) -> PostAction {
        PostAction::Submit {
            post,
            network: SocialNetwork::X,
            handle: "@rackspace".into(),
            text: text.into(),
        }
    }

    #[test]
    fn a_post_id_used_twice_is_refused() {
        let mut w = World::with_config(crate::guard::config());
        let (ana, post) = (w.ana, w.ids.next_id());
        w.run(Command::new(
            Actor::Agent(ana),
            submit(post, "DFW1 is back online."),
        ))
        .unwrap();
        w.refused(
            Command::new(Actor::Agent(ana), submit(post, "And ORD1 too.")),
            GuardError::DuplicatePost(post),
        );
    }

    /// A held post rejected without a reason: the posts aggregate says
    /// [`GuardError::Blank`]; the desk refuses blank text alike in every
    /// area, as the crate's `Error::Blank`.
    #[test]
    fn a_held_post_rejected_without_a_reason_is_refused() {
        let personal = "Having fun at Sea-World with the kids!";
        let mut w = World::with_config(crate::guard::config());
        let (ana, bill, post) = (w.ana, w.bill, w.ids.next_id());
        let policy = w.desk.config().guard.clone();
        let mut posts = Posts::default();
        for e in posts
            .handle(submit(post, personal), ana, &policy, w.now)
            .unwrap()
        {
            posts.apply(&e);
        }
        assert!(matches!(
            posts.get(post).map(|r| &r.state),
            Some(PostState::Held { .. })
        ));
        let reject = PostAction::Reject {
            post,
            reason: "  ".into(),
        };
        assert_eq!(
            posts.handle(reject.clone(), bill, &policy, w.now),
            Err(GuardError::Blank(blank("a rejection reason")))
        );
        w.run(Command::new(Actor::Agent(ana), submit(post, personal)))
            .unwrap();
        w.refused(
            Command::new(Actor::Agent(bill), reject),
            blank("a rejection reason"),
        );
    }

    /// The same for a failed delivery reported without saying why.
    #[test]
    fn a_delivery_failure_without_a_reason_is_refused() {
        let mut w = World::new();
        let t = w.jane_emails("help");
        let ana = w.ana;
        w.run(Command::reply(t, ana, "On it")).unwrap();
        let message = w.desk.poll_outbound(w.now).unwrap().id;
        let fail = OutboxAction::MarkFailed {
            message,
            reason: " ".into(),
        };
        assert_eq!(
            Outbox::default().handle(fail.clone(), &RetryPolicy::default(), w.now),
            Err(OutboxError::Blank(blank("a delivery failure reason")))
        );
        w.refused(
            Command::new(Actor::integration("transport"), fail),
            blank("a delivery failure reason"),
        );
        // The reason is checked first: the same empty outbox refuses a
        // delivery of that message as unknown.
        assert_eq!(
            Outbox::default().handle(
                OutboxAction::MarkDelivered { message },
                &RetryPolicy::default(),
                w.now
            ),
            Err(OutboxError::UnknownMessage(message))
        );
    }

    #[test]
    fn the_recording_transport_fails_unavailable_when_told_to() {
        let mut w = World::new();
        let t = w.jane_emails("help");
        let ana = w.ana;
        w.run(Command::reply(t, ana, "On it")).unwrap();
        let msg = w.desk.poll_outbound(w.now).unwrap();
        let mut transport = RecordingTransport::new();
        transport.fail_next(1);
        assert_eq!(
            transport.deliver(&msg),
            Err(TransportError::Unavailable {
                id: msg.id,
                reason: "scripted failure".into(),
            })
        );
        assert_eq!(transport.deliver(&msg), Ok(Delivery::Delivered));
    }
}

mod crisis {
    use fanatical::crisis::{CrisisError, KeywordPolicy};

    #[test]
    fn a_crisis_phrase_with_no_words_is_refused() {
        assert_eq!(
            KeywordPolicy::new(["goodbye forever", " !! "]).unwrap_err(),
            CrisisError::BlankPhrase(" !! ".into())
        );
    }
}

mod routing {
    use fanatical::agent::Skill;
    use fanatical::routing::{Router, RoutingAgent, RoutingError};
    use fanatical::sla::DayHours;

    use super::*;

    #[test]
    fn routing_a_ticket_through_the_desk_needing_a_skill_nobody_has_is_refused() {
        let mut w = World::new();
        let t = w.jane_emails("our mainframe is down");
        let ana = w.desk.people().agent(w.ana).unwrap();
        let week = std::array::from_fn(|_| DayHours::all_day());
        let router = Router::new(vec![RoutingAgent::for_agent(ana, week, 10)]).unwrap();
        let mainframe = Skill::new("mainframe").unwrap();
        assert_eq!(
            w.desk
                .tickets()
                .route(t, &router, std::slice::from_ref(&mainframe), w.now),
            Err(RoutingError::NoSkill(vec![mainframe]).into())
        );
    }
}

mod stores {
    use fanatical::customer::ErasureScope;
    use fanatical::event::StreamId;
    use fanatical::store::{MemoryStore, RecordedEvent, Store, StoreError, StreamWrite};

    use super::*;

    /// A store that keeps everything and implements only what the trait
    /// requires: it cannot erase.
    struct KeepsEverything(MemoryStore);

    impl Store for KeepsEverything {
        fn append(&mut self, batch: &[StreamWrite]) -> Result<Vec<RecordedEvent>, StoreError> {
            self.0.append(batch)
        }
        fn read_stream(&self, s: &StreamId, after: u64) -> Result<Vec<RecordedEvent>, StoreError> {
            self.0.read_stream(s, after)
        }
        fn read_all(&self, after: u64, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
            self.0.read_all(after, limit)
        }
    }

    #[test]
    fn erasing_a_person_on_a_store_that_cannot_erase_is_refused_and_writes_nothing() {
        let mut w = World::new();
        let mut store = KeepsEverything(w.store.clone());
        let desk_before = w.desk.clone();
        let erase = Command::new(
            Actor::integration("privacy"),
            CustomerAction::EraseContact {
                customer: w.acme,
                contact: w.jane,
                scope: ErasureScope::Profile,
            },
        );
        assert_eq!(
            w.desk.execute(&mut store, erase, w.now),
            Err(StoreError::Unsupported {
                operation: "erasure"
            }
            .into())
        );
        assert_eq!(w.desk, desk_before);
        assert_eq!(store.0, w.store);
    }
}

mod config {
    use fanatical::chrono::Duration;
    use fanatical::desk::DeskConfig;
    use fanatical::time::MAX_CONFIGURED;

    /// A duration set on a public field skips the builder's check; the
    /// desk's `validate` returns it as the crate's `Error::Duration`,
    /// naming the setting, the value and the bounds.
    #[test]
    fn a_configured_duration_out_of_range_is_the_crates_duration_error() {
        let mut config = DeskConfig::default();
        let century_and_a_year = Duration::days(365 * 101);
        config.coaching_window = century_and_a_year;
        let err = config.validate().unwrap_err();
        let fanatical::Error::Duration(out) = &err else {
            panic!("not a duration error: {err:?}");
        };
        assert_eq!(
            (out.field.as_str(), out.value, out.min, out.max),
            (
                "coaching window",
                century_and_a_year,
                Duration::zero(),
                MAX_CONFIGURED
            )
        );
    }
}

mod ids {
    use fanatical::event::StreamId;
    use fanatical::id::{ComponentId, CustomerId, IdError};

    #[test]
    fn malformed_ids_name_their_kind_the_text_and_what_was_expected() {
        assert_eq!(
            "not-a-uuid".parse::<CustomerId>(),
            Err(IdError {
                kind: "customer",
                value: "not-a-uuid".into(),
                expected: "a UUID",
            })
        );
        assert_eq!(
            ComponentId::new("dfw1 servers"),
            Err(IdError {
                kind: "component",
                value: "dfw1 servers".into(),
                expected: "one word of 1 to 100 characters",
            })
        );
        assert_eq!(
            "ticket-42".parse::<StreamId>(),
            Err(IdError {
                kind: "stream",
                value: "ticket-42".into(),
                expected: "a stream name such as `outbox` or `ticket-<uuid>`",
            })
        );
    }
}

mod escalation {
    use fanatical::escalation::{EscalationError, Facts, default_graph};
    use fanatical::ticket::Priority;

    use super::*;

    #[test]
    fn escalating_a_ticket_from_a_node_the_graph_lacks_is_the_crates_escalation_error() {
        let mut w = World::new();
        let t = w.jane_emails("the site is down");
        let graph = default_graph().unwrap();
        let facts = Facts::new(Priority::High, w.now);
        assert_eq!(
            w.desk
                .tickets()
                .escalation(t, &graph, "nowhere", &facts, w.now),
            Err(EscalationError::UnknownNode("nowhere".into()).into())
        );
    }
}
