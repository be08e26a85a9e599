//! Replay: `Desk::rebuild` folds the record without keeping the timer
//! table or the delivery queue in step event by event, and derives both
//! from the state at the end. These tests hold it to the desk that applied
//! the same record one event at a time (`catch_up` on a new desk) and to
//! the desk that ran: the same state, the same timers (first, count, and
//! what they decide at every later instant), the same messages handed out.
//! The desks run with SLA targets, CSAT on solve, failures and retries, and
//! a two-hour archive window, so tickets are archived during the replay.

use chrono::Duration;
use fanatical::actor::{Actor, TimerKind};
use fanatical::desk::{
    ArchivePolicy, Command, Desk, DeskConfig, SurveyAction, TicketAction, Timer,
};
use fanatical::outbox::OutboxAction;
use fanatical::sla::{Clock, Conditions, Metric, SlaConfig, SlaPolicies, SlaPolicy, Target};
use fanatical::survey::{
    Answer, Question, QuestionKind, Rating, Response, SurveyConfig, SurveyDraft,
};
use fanatical::ticket::Status;
use proptest::prelude::*;

use crate::support::World;

/// CSAT on solve, its invitations valid for `valid_for`; closed tickets
/// archived after `window`; a first-response and a resolution target.
fn config(valid_for: Duration, window: Duration) -> DeskConfig {
    let csat = SurveyDraft::new("after-ticket")
        .question(Question::new("rating", "How did we do?", QuestionKind::scale()).required())
        .validate()
        .unwrap();
    let mut surveys = SurveyConfig::default()
        .with_survey(csat)
        .csat_on_solve("after-ticket");
    surveys.valid_for = valid_for;
    let first = Target::new(Metric::FirstResponse, Duration::hours(1), Clock::Always);
    let resolution = Target::new(Metric::Resolution, Duration::hours(8), Clock::Always);
    let policies = SlaPolicies::new(vec![SlaPolicy::new(
        "standard",
        Conditions::any(),
        vec![first, resolution],
    )])
    .unwrap();
    DeskConfig::default()
        .with_sla(SlaConfig::new(policies))
        .with_surveys(surveys)
        .with_archive(ArchivePolicy::after_closed(window).unwrap())
}

fn excellent() -> Response {
    Response::new().answer("rating", Answer::Scale(Rating::Excellent))
}

/// A closed ticket waits for its CSAT invitation to expire before it is
/// archived; answered, it no longer waits: the live desk, a rebuild and
/// an event-by-event fold all archive it at the end of the window.
#[test]
fn an_invitation_answered_after_closing_brings_the_archiving_back_to_the_window() {
    let config = config(Duration::days(10), Duration::days(1));
    let mut w = World::with_config(config.clone());
    let t = w.closed_ticket("Broken", "Fixed.");
    let closed = w.now;
    let invitation = w
        .desk
        .surveys()
        .invitations()
        .find(|i| i.invitation.ticket == Some(t))
        .unwrap()
        .invitation
        .clone();
    // Unanswered, it is waited for.
    let next = w.desk.next_timer().unwrap();
    assert_eq!(
        (next.timer, next.at),
        (Timer::Archive(t), invitation.expires_at)
    );
    w.tick(60);
    let answer = SurveyAction::Answer {
        invitation: invitation.id,
        response: excellent(),
    };
    w.run(Command::new(Actor::integration("survey"), answer))
        .unwrap();
    let due = closed + Duration::days(1);
    let rebuilt = Desk::rebuild(&w.store, config.clone()).unwrap();
    let mut folded = Desk::new(config);
    folded.catch_up(&w.store).unwrap();
    for desk in [&w.desk, &rebuilt, &folded] {
        let next = desk.next_timer().unwrap();
        assert_eq!(
            (next.timer, next.at, next.kind),
            (Timer::Archive(t), due, TimerKind::Archive)
        );
    }
}

/// Random days on the desk: tickets opened, answered, assigned, solved,
/// closed, pending; timeouts handled; messages delivered or failed;
/// invitations answered; time passing.
fn run(data: &[u8], config: DeskConfig) -> World {
    let mut w = World::with_config(config);
    let ana = w.ana;
    let mut tickets = vec![w.jane_emails("first")];
    for chunk in data.chunks(2) {
        let (op, arg) = (chunk[0], chunk.get(1).copied().unwrap_or(0));
        let t = tickets[usize::from(arg) % tickets.len()];
        w.tick(i64::from(arg));
        let agent = |action| Command::new(Actor::Agent(ana), action);
        let cmd = match op % 12 {
            0 => {
                tickets.push(w.jane_emails("Help"));
                continue;
            }
            1 => Command::reply(t, ana, "On it."),
            2 => agent(TicketAction::assign(t, ana)),
            3 => agent(TicketAction::set_status(t, Status::Solved)),
            4 => agent(TicketAction::set_status(t, Status::Closed)),
            5 => agent(TicketAction::set_status(t, Status::Pending)),
            6 => {
                let now = w.now;
                w.desk.handle_timeout(&mut w.store, now).unwrap();
                continue;
            }
            7 | 8 => match w.desk.poll_outbound(w.now) {
                Some(m) if op % 12 == 7 => Command::new(
                    Actor::integration("transport"),
                    OutboxAction::MarkDelivered { message: m.id },
                ),
                Some(m) => Command::new(
                    Actor::integration("transport"),
                    OutboxAction::MarkFailed {
                        message: m.id,
                        reason: "mailbox full".into(),
                    },
                ),
                None => continue,
            },
            9 => {
                let open: Vec<_> = w
                    .desk
                    .surveys()
                    .invitations()
                    .filter(|i| i.answered.is_none())
                    .map(|i| i.invitation.id)
                    .collect();
                let Some(&invitation) = open.get(usize::from(arg) % open.len().max(1)) else {
                    continue;
                };
                let answer = SurveyAction::Answer {
                    invitation,
                    response: excellent(),
                };
                Command::new(Actor::integration("survey"), answer)
            }
            10 => {
                w.tick(i64::from(arg) * 10);
                continue;
            }
            _ => agent(TicketAction::Promise {
                ticket: t,
                due: w.now + Duration::minutes(i64::from(arg)),
                note: String::new(),
            }),
        };
        // Refusals are part of a random day; they change nothing.
        let _ = w.run(cmd);
    }
    w
}

fn same_at_run_time(w: &World, config: DeskConfig) -> Result<(), TestCaseError> {
    let rebuilt = Desk::rebuild(&w.store, config.clone()).unwrap();
    let mut folded = Desk::new(config);
    folded.catch_up(&w.store).unwrap();
    prop_assert!(rebuilt == folded);
    prop_assert!(rebuilt == w.desk);
    prop_assert_eq!(rebuilt.next_timer(), folded.next_timer());
    prop_assert_eq!(
        rebuilt.tickets().running_timers(),
        folded.tickets().running_timers()
    );
    for hours in [0i64, 1, 2, 3, 5, 8, 13, 24, 48, 24 * 30] {
        let at = w.now + Duration::hours(hours);
        prop_assert_eq!(
            rebuilt.decide_timeouts(at),
            folded.decide_timeouts(at),
            "at +{}h",
            hours
        );
    }
    let now = w.now + Duration::days(30);
    let (mut a, mut b) = (rebuilt.clone(), folded.clone());
    let handed = |d: &mut Desk| {
        std::iter::from_fn(|| d.poll_outbound(now).map(|m| m.id)).collect::<Vec<_>>()
    };
    prop_assert_eq!(handed(&mut a), handed(&mut b));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::cases(64)))]

    /// Invitations valid longer than the archive window: answers move the
    /// archive timers.
    #[test]
    fn a_rebuild_runs_the_timers_of_the_record_applied_event_by_event(
        data in prop::collection::vec(any::<u8>(), 0..200),
    ) {
        let config = config(Duration::hours(6), Duration::hours(2));
        let w = run(&data, config.clone());
        same_at_run_time(&w, config)?;
    }

    /// Invitations that expire within the window: only closing sets the
    /// archive timer.
    #[test]
    fn a_rebuild_runs_the_timers_when_invitations_expire_within_the_window(
        data in prop::collection::vec(any::<u8>(), 0..200),
    ) {
        let config = config(Duration::hours(1), Duration::hours(2));
        let w = run(&data, config.clone());
        same_at_run_time(&w, config)?;
    }
}
