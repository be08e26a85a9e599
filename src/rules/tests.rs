use super::*;
use crate::ticket::{Priority, Status, TicketEventKind};

fn tag(t: &str) -> Tag {
    Tag::new(t).unwrap()
}

fn t(name: &str, actions: Vec<RuleAction>, when: Condition) -> Trigger {
    Trigger::new(name, actions).unwrap().when(when)
}

fn kinds(err: &TriggerProblems) -> Vec<&'static str> {
    err.problems()
        .iter()
        .map(|p| match p {
            TriggerProblem::DuplicateName { .. } => "duplicate",
            TriggerProblem::NoActions { .. } => "no actions",
            TriggerProblem::NoConditions { .. } => "no conditions",
            TriggerProblem::Contradiction { .. } => "contradiction",
            TriggerProblem::Duration { .. } => "duration",
            TriggerProblem::Conflict { .. } => "conflict",
            TriggerProblem::Loop { .. } => "loop",
        })
        .collect()
}

#[test]
fn names_are_trimmed_text_of_1_to_100_characters() {
    assert_eq!(RuleName::new("  vip first ").unwrap().as_str(), "vip first");
    assert!(matches!(
        RuleName::new("   "),
        Err(RulesError::InvalidName(_))
    ));
    assert!(RuleName::new(&"x".repeat(100)).is_ok());
    assert!(RuleName::new(&"x".repeat(101)).is_err());
    assert!(RuleName::new("a\u{7}b").is_err());
}

#[test]
fn each_problem_of_a_set_is_named_at_once() {
    let created = Condition::Changed(Change::Created);
    let err = TriggerSet::new(vec![
        t("a", vec![RuleAction::AddTag(tag("x"))], created.clone()),
        t("a", vec![RuleAction::AddTag(tag("y"))], created.clone()),
        Trigger::new("idle", []).unwrap().when(created.clone()),
        Trigger::new("always", [RuleAction::AddTag(tag("z"))]).unwrap(),
        t(
            "both ways",
            vec![
                RuleAction::AddTag(tag("q")),
                RuleAction::RemoveTag(tag("q")),
            ],
            created.clone(),
        ),
        t(
            "negative",
            vec![RuleAction::AddTag(tag("n"))],
            Condition::Sla(SlaTest::DueWithin {
                metric: None,
                within: chrono::Duration::minutes(-5),
            }),
        ),
    ])
    .unwrap_err();
    assert_eq!(
        kinds(&err),
        [
            "duplicate",
            "no actions",
            "no conditions",
            "contradiction",
            "duration"
        ]
    );
    let text = err.to_string();
    assert!(text.contains("two triggers are named \"a\""), "{text}");
    assert!(text.contains("\"both ways\" sets tag q two ways"), "{text}");
}

#[test]
fn triggers_run_after_those_that_change_what_they_read_else_by_position() {
    let hot = t(
        "hot",
        vec![RuleAction::AddTag(tag("hot"))],
        Condition::PriorityAtLeast(Priority::Urgent),
    );
    let other = t(
        "other",
        vec![RuleAction::AddTag(tag("seen"))],
        Condition::Changed(Change::Created),
    );
    let vip = t(
        "vip",
        vec![RuleAction::SetPriority(Priority::Urgent)],
        Condition::HasTag(tag("vip")),
    );
    let set = TriggerSet::new(vec![hot, other, vip.clone().inactive()]).unwrap();
    let order: Vec<&str> = set.in_run_order().map(|(_, t)| t.name().as_str()).collect();
    // Inactive triggers do not run, but they are checked and ordered
    // ("hot" waits for "vip"), so switching one on changes no order.
    assert_eq!(order, ["other", "hot"]);
    let set = TriggerSet::new(vec![
        set.triggers()[0].clone(),
        set.triggers()[1].clone(),
        vip,
    ])
    .unwrap();
    let order: Vec<(usize, &str)> = set
        .in_run_order()
        .map(|(i, t)| (i, t.name().as_str()))
        .collect();
    assert_eq!(order, [(1, "other"), (2, "vip"), (0, "hot")]);
}

#[test]
fn conflicts_are_refused_unless_the_triggers_exclude_each_other() {
    let vip = Condition::HasTag(tag("vip"));
    let up = t(
        "up",
        vec![RuleAction::SetPriority(Priority::Urgent)],
        vip.clone(),
    );
    let down = |extra: Option<Condition>| {
        let d = t(
            "down",
            vec![RuleAction::SetPriority(Priority::Low)],
            Condition::Changed(Change::Created),
        );
        match extra {
            Some(c) => d.when(c),
            None => d,
        }
    };
    let err = TriggerSet::new(vec![up.clone(), down(None)]).unwrap_err();
    assert_eq!(kinds(&err), ["conflict"]);
    // Excluded by a tag nobody changes.
    assert!(
        TriggerSet::new(vec![
            up.clone(),
            down(Some(Condition::Not(Box::new(vip.clone()))))
        ])
        .is_ok()
    );
    // Not by one a trigger changes: the exclusion could stop holding.
    let tagger = t(
        "tagger",
        vec![RuleAction::AddTag(tag("vip"))],
        Condition::Channel([crate::channel::ChannelKind::Phone].into()),
    );
    let err = TriggerSet::new(vec![
        up.clone(),
        down(Some(Condition::Not(Box::new(vip)))),
        tagger,
    ])
    .unwrap_err();
    assert_eq!(kinds(&err), ["conflict"]);
    // Disjoint statuses exclude; the same value is no conflict.
    let solved = t(
        "solved",
        vec![RuleAction::SetPriority(Priority::Low)],
        Condition::Status([Status::Solved].into()),
    );
    let open = t(
        "open",
        vec![RuleAction::SetPriority(Priority::Urgent)],
        Condition::Status([Status::Open, Status::New].into()),
    );
    assert!(TriggerSet::new(vec![solved, open]).is_ok());
    let same = t(
        "same",
        vec![RuleAction::SetPriority(Priority::Urgent)],
        Condition::Changed(Change::Created),
    );
    assert!(TriggerSet::new(vec![up, same]).is_ok());
}

#[test]
fn a_set_reads_back_checked_and_a_looping_one_does_not() {
    let a = t(
        "a",
        vec![RuleAction::AddTag(tag("b"))],
        Condition::HasTag(tag("a")),
    );
    let set = TriggerSet::new(vec![a.clone()]).unwrap();
    let json = serde_json::to_string(&set).unwrap();
    let back: TriggerSet = serde_json::from_str(&json).unwrap();
    assert_eq!(back, set);
    let b = t(
        "b",
        vec![RuleAction::RemoveTag(tag("a"))],
        Condition::HasTag(tag("b")),
    );
    let looping = serde_json::to_string(&vec![a, b]).unwrap();
    let err = serde_json::from_str::<TriggerSet>(&looping).unwrap_err();
    assert!(err.to_string().contains("could fire each other"), "{err}");
}

#[test]
fn changes_say_what_happened() {
    let mut c = Changes::new();
    assert!(c.is_empty());
    c.record_ticket(&TicketEventKind::Tagged { tag: tag("x") });
    c.record_ticket(&TicketEventKind::StatusChanged {
        from: Status::New,
        to: Status::Pending,
        cause: crate::ticket::StatusCause::Set,
    });
    assert!(c.has(&Change::TagAdded(tag("x"))));
    assert!(!c.has(&Change::TagRemoved(tag("x"))));
    assert!(c.has(&Change::Status { to: None }));
    assert!(c.has(&Change::Status {
        to: Some(Status::Pending)
    }));
    assert!(!c.has(&Change::Status {
        to: Some(Status::Solved)
    }));
    assert!(!c.has(&Change::Created));
    assert!(!c.has(&Change::SlaBreached { metric: None }));
}

#[test]
fn a_trigger_reading_a_tag_another_adds_runs_after_it() {
    let a = t(
        "a",
        vec![RuleAction::SetPriority(Priority::High)],
        Condition::HasTag(tag("x")),
    );
    let b = t(
        "b",
        vec![RuleAction::AddTag(tag("x"))],
        Condition::Changed(Change::Created),
    );
    let set = TriggerSet::new(vec![a, b]).unwrap();
    let order: Vec<&str> = set.in_run_order().map(|(_, t)| t.name().as_str()).collect();
    assert_eq!(order, ["b", "a"]);
}
