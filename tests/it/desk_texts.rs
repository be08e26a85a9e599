//! Texts the desk writes come from its template set (review of issues
//! 18/19, item 4): a trigger's page and its escalation page, the reason of
//! an escalation its start owns, the escalation simulation's notices, the
//! name of a customer registered for an unknown sender, and the kind of
//! mistake a course-correction page names, each in the desk's default
//! locale (they go to colleagues); the subject an export shows for
//! another contact's ticket, in the person's own. Each is replaced by a
//! custom text of the same name.

use chrono::{TimeZone, Utc};
use chrono_tz::America::Chicago;
use fanatical::actor::Actor;
use fanatical::channel::{Channel, ChannelAddress};
use fanatical::desk::{
    Action, Command, Desk, DeskConfig, InboundMessage, TicketAction, UnknownSender,
};
use fanatical::escalation::{
    Condition as Route, EscalationGraph, Facts, Node, Rule, default_graph,
};
use fanatical::id::TicketId;
use fanatical::outbox::Recipient;
use fanatical::rules::{Change, Condition, PageTo, RuleAction, Trigger, TriggerSet};
use fanatical::template::{Locale, TemplateName, TemplateSet};
use fanatical::ticket::{OpenTicket, Priority};

use crate::support::World;

fn spanish() -> TemplateSet {
    TemplateSet::default()
        .with_default_locale(Locale::spanish())
        .unwrap()
}

fn custom(name: TemplateName, text: &str) -> TemplateSet {
    TemplateSet::new(
        Locale::english(),
        [(Locale::english(), name, text.to_owned())],
    )
    .unwrap()
}

/// The pages sent to agents, as (agent, body).
fn pages(w: &World) -> Vec<(fanatical::id::AgentId, String)> {
    w.desk
        .channels()
        .outbox()
        .filter_map(|m| match m.message.recipient {
            Recipient::Agent { agent } => Some((agent, m.message.body.clone())),
            _ => None,
        })
        .collect()
}

fn page_trigger(w: &World) -> Trigger {
    Trigger::new(
        "new ticket",
        [RuleAction::Page {
            to: PageTo::Agent(w.ana),
            body: "  Someone wrote in.  ".into(),
        }],
    )
    .unwrap()
    .when(Condition::Changed(Change::Created))
}

/// A desk with `templates` whose one trigger pages Ana of every new
/// ticket; Jane writes in. Returns the desk and the ticket.
fn paged_with(templates: TemplateSet) -> (World, TicketId) {
    let mut w = World::new();
    let trigger = page_trigger(&w);
    let config = w
        .desk
        .config()
        .clone()
        .with_templates(templates)
        .with_triggers(TriggerSet::new(vec![trigger]).unwrap());
    w.desk = Desk::rebuild(&w.store, config).unwrap();
    let t = w.jane_emails("Help");
    (w, t)
}

#[test]
fn a_trigger_page_is_the_rule_notice_template_in_the_desks_locale() {
    let (w, t) = paged_with(TemplateSet::default());
    assert_eq!(
        pages(&w),
        vec![(w.ana, format!("Ticket {t} (new ticket): Someone wrote in."))]
    );
    let (w, t) = paged_with(spanish());
    assert_eq!(
        pages(&w),
        vec![(
            w.ana,
            format!("El ticket {t} (regla «new ticket»): Someone wrote in.")
        )]
    );
    let (w, t) = paged_with(custom(
        TemplateName::RuleNotice,
        "[{{ rule }}] {{ body }} (#{{ ticket }})",
    ));
    assert_eq!(
        pages(&w),
        vec![(w.ana, format!("[new ticket] Someone wrote in. (#{t})"))]
    );
}

/// Jane writes in; a trigger escalates every new ticket from the front
/// line to Bill ("Tier 2"), urgent ones by rule. Returns Bill's pages.
fn escalated_with(templates: TemplateSet) -> (World, TicketId) {
    let mut w = World::new();
    let bill = w.bill;
    let graph = EscalationGraph::builder()
        .node(Node::team("front_line", "Front line", 0).entry().owner())
        .node(Node::person("tier2", "Tier 2", 1, bill).owner())
        .rule(Rule::new(
            "all",
            "front_line",
            "tier2",
            Route::any(),
            "everything goes to tier 2",
        ))
        .build()
        .unwrap();
    let trigger = Trigger::new(
        "escalate",
        [RuleAction::Escalate {
            from: "front_line".into(),
        }],
    )
    .unwrap()
    .when(Condition::Changed(Change::Created));
    let config = w
        .desk
        .config()
        .clone()
        .with_templates(templates)
        .with_escalation(graph)
        .with_triggers(TriggerSet::new(vec![trigger]).unwrap());
    w.desk = Desk::rebuild(&w.store, config).unwrap();
    let t = w.jane_emails("Help");
    (w, t)
}

#[test]
fn a_trigger_escalation_page_is_the_hand_off_template_in_the_desks_locale() {
    let (w, t) = escalated_with(TemplateSet::default());
    let bill = w.bill;
    let english = pages(&w);
    assert_eq!(english.len(), 1, "{english:?}");
    assert_eq!(english[0].0, bill);
    assert!(
        english[0]
            .1
            .starts_with(&format!("Ticket {t} is yours now (Tier 2): ")),
        "{}",
        english[0].1
    );
    assert!(english[0].1.contains("everything goes to tier 2"));
    let (w, t) = escalated_with(spanish());
    let body = &pages(&w)[0].1;
    assert!(
        body.starts_with(&format!("El ticket {t} ahora es suyo (Tier 2): ")),
        "{body}"
    );
    let (w, t) = escalated_with(custom(
        TemplateName::HandOff,
        "{{ department }} <- {{ ticket }}",
    ));
    assert_eq!(pages(&w), vec![(bill, format!("Tier 2 <- {t}"))]);
}

#[test]
fn the_reason_of_an_escalation_its_start_owns_is_a_template() {
    for (templates, reason) in [
        (TemplateSet::default(), "Front line owns it"),
        (spanish(), "le corresponde a Front line"),
        (
            custom(TemplateName::EscalationOwner, "kept by {{ department }}"),
            "kept by Front line",
        ),
    ] {
        let mut w = World::new();
        let graph = EscalationGraph::builder()
            .node(Node::team("front_line", "Front line", 0).entry().owner())
            .build()
            .unwrap();
        let config = w.desk.config().clone().with_templates(templates);
        w.desk = Desk::rebuild(&w.store, config).unwrap();
        let t = w.jane_emails("Help");
        let facts = Facts::new(Priority::Normal, w.now);
        let e = w
            .desk
            .tickets()
            .escalation(t, &graph, "front_line", &facts, w.now)
            .unwrap();
        assert!(e.path.is_empty());
        assert_eq!(e.reason, reason);
        let command = Command::escalate(t, w.ana, &e);
        assert!(
            matches!(&command.action, Action::Ticket(TicketAction::Escalate { reason: r, .. }) if r == reason),
            "{command:?}"
        );
    }
}

#[test]
fn the_escalation_simulation_says_what_happened_in_the_desks_locale() {
    let run = |templates: TemplateSet| -> Vec<String> {
        let mut w = World::with_config(
            DeskConfig::default()
                .with_sla(crate::sla_desk::policies())
                .with_templates(templates),
        );
        let friday = Chicago
            .with_ymd_and_hms(2026, 11, 6, 16, 30, 0)
            .unwrap()
            .with_timezone(&Utc);
        let id: TicketId = w.ids.next_id();
        let jane = w.jane;
        let open = OpenTicket::new(id, w.acme, "Database down", Channel::Email)
            .requested_by(jane)
            .with_message(
                fanatical::ticket::Author::Contact(jane),
                "Our database is down",
            );
        w.desk
            .tickets()
            .simulate_escalation(
                &default_graph().unwrap(),
                "front_line",
                open,
                Facts::new(Priority::Normal, friday),
                friday,
                72,
            )
            .unwrap()
            .into_iter()
            .map(|n| n.trigger)
            .collect()
    };
    let english = run(TemplateSet::default());
    assert_eq!(english.len(), 5, "{english:?}");
    assert_eq!(english[0], "opened");
    assert!(english.contains(&"first_response warned at 75%".to_owned()));
    assert!(english.contains(&"first_response breached".to_owned()));
    let spanish = run(spanish());
    assert_eq!(spanish.len(), english.len());
    assert_eq!(spanish[0], "abierto");
    assert!(spanish.contains(&"aviso de first_response al 75 %".to_owned()));
    assert!(spanish.contains(&"first_response incumplido".to_owned()));
    let set = TemplateSet::new(
        Locale::english(),
        [
            (
                Locale::english(),
                TemplateName::EscalationOpened,
                "new".to_owned(),
            ),
            (
                Locale::english(),
                TemplateName::EscalationBreached,
                "{{ metric }}!".to_owned(),
            ),
        ],
    )
    .unwrap();
    let custom = run(set);
    assert_eq!(custom[0], "new");
    assert!(custom.contains(&"first_response!".to_owned()));
}

#[test]
fn a_customer_registered_for_an_unknown_phone_is_named_in_the_desks_locale() {
    use fanatical::desk::UnknownSenders;
    for (templates, name) in [
        (TemplateSet::default(), "New customer (phone)"),
        (spanish(), "Cliente nuevo (phone)"),
        (
            custom(
                TemplateName::NewCustomer,
                "Unknown caller via {{ channel }}",
            ),
            "Unknown caller via phone",
        ),
    ] {
        let mut w = World::new();
        let mut config = w.desk.config().clone().with_templates(templates);
        let mut senders = UnknownSenders::default();
        senders.per_channel.insert(
            fanatical::channel::ChannelKind::Phone,
            UnknownSender::Create,
        );
        config.unknown_senders = senders;
        w.desk = Desk::rebuild(&w.store, config).unwrap();
        let id: TicketId = w.ids.next_id();
        let from = ChannelAddress::phone("+1 210 555 0199").unwrap();
        let msg = InboundMessage::new(id, Channel::Phone, from, "Hello?");
        w.run(Command::new(
            Actor::integration("inbound"),
            TicketAction::Receive(msg),
        ))
        .unwrap();
        let customer = w.desk.tickets().get(id).unwrap().customer();
        let org = w
            .desk
            .customers()
            .get(customer)
            .unwrap()
            .organisation()
            .to_owned();
        assert_eq!(org, name);
    }
}

/// Ana, on Bill's team with Bill its lead, makes `kind` of mistake twice:
/// Bill's course-correction pages.
fn course_corrections(
    templates: TemplateSet,
    kind: fanatical::coaching::MistakeKind,
) -> Vec<String> {
    use fanatical::agent::TeamCommand;
    use fanatical::coaching::CoachingAction;
    use fanatical::desk::PeopleAction;
    let mut w = World::new();
    let config = w.desk.config().clone().with_templates(templates);
    w.desk = Desk::rebuild(&w.store, config).unwrap();
    let (ana, bill, team) = (w.ana, w.bill, w.team);
    for command in [
        TeamCommand::AddMember(ana),
        TeamCommand::AddMember(bill),
        TeamCommand::SetLead(bill),
    ] {
        w.run(Command::new(
            Actor::integration("setup"),
            PeopleAction::UpdateTeam { team, command },
        ))
        .unwrap();
    }
    let t = w.jane_emails("help");
    for _ in 0..2 {
        w.run(Command::new(
            Actor::Agent(bill),
            CoachingAction::RecordMistake {
                agent: ana,
                kind: kind.clone(),
                ticket: Some(t),
                note: "posted from the company account".into(),
            },
        ))
        .unwrap();
        w.tick(60);
    }
    pages(&w)
        .into_iter()
        .filter(|(to, _)| *to == bill)
        .map(|(_, body)| body)
        .collect()
}

#[test]
fn a_course_correction_names_the_kind_of_mistake_in_the_desks_locale() {
    use fanatical::coaching::MistakeKind;
    let english = course_corrections(TemplateSet::default(), MistakeKind::WrongChannel);
    assert_eq!(
        english,
        vec![
            "Course correction: Ana has made the same kind of mistake (WrongChannel) 2 times in 30 days."
        ]
    );
    let spanish = course_corrections(spanish(), MistakeKind::WrongChannel);
    assert_eq!(
        spanish,
        vec![
            "Corrección de rumbo: Ana ha cometido el mismo tipo de error (cuenta o canal equivocado) 2 veces en 30 días."
        ]
    );
    // A kind of the desk's own is named as recorded, not as Rust prints it.
    let own = course_corrections(
        TemplateSet::default(),
        MistakeKind::Other("mislabelled".into()),
    );
    assert_eq!(
        own,
        vec![
            "Course correction: Ana has made the same kind of mistake (mislabelled) 2 times in 30 days."
        ]
    );
    let custom = course_corrections(
        custom(TemplateName::MistakeSlaMiss, "let an SLA slip"),
        MistakeKind::SlaMiss,
    );
    assert_eq!(
        custom,
        vec![
            "Course correction: Ana has made the same kind of mistake (let an SLA slip) 2 times in 30 days."
        ]
    );
}

#[test]
fn an_export_names_another_contacts_ticket_in_the_persons_locale() {
    use fanatical::desk::CustomerAction;
    let subject_for_joe = |templates: TemplateSet, locale: Option<Locale>| -> String {
        let mut w = World::new();
        let config = w.desk.config().clone().with_templates(templates);
        w.desk = Desk::rebuild(&w.store, config).unwrap();
        let joe = crate::crisis_paths::joe(&mut w);
        if let Some(locale) = locale {
            w.run(Command::new(
                Actor::integration("crm"),
                CustomerAction::set_locale(w.acme, joe, locale),
            ))
            .unwrap();
        }
        let t = w.jane_emails("Site down");
        let from = ChannelAddress::email("joe@acme.example").unwrap();
        let msg =
            InboundMessage::new(w.ids.next_id(), Channel::Email, from, "Same here.").in_reply_to(t);
        w.run(Command::new(
            Actor::integration("inbound"),
            TicketAction::Receive(msg),
        ))
        .unwrap();
        let export = w.desk.customers().export(joe).unwrap();
        assert_eq!(export.tickets.len(), 1, "he wrote on Jane's ticket");
        export.tickets[0].subject.clone()
    };
    assert_eq!(
        subject_for_joe(TemplateSet::default(), None),
        "(another contact's ticket)"
    );
    // Joe reads Spanish; the desk's default stays English.
    assert_eq!(
        subject_for_joe(TemplateSet::default(), Some(Locale::spanish())),
        "(ticket de otro contacto)"
    );
    assert_eq!(
        subject_for_joe(custom(TemplateName::ExportOtherTicket, "(not yours)"), None),
        "(not yours)"
    );
}
