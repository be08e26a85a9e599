//! Templates and locales through the desk: a contact with a locale is
//! written to in it (survey invitations, thank-yous, incident notices),
//! everyone else in the desk's default; the locale is a recorded, erasable
//! part of the contact; a desk's own template set replaces texts.

use fanatical::actor::Actor;
use fanatical::customer::{CustomerCommand, CustomerError, CustomerEventKind};
use fanatical::desk::{Command, CustomerAction, Desk, DeskConfig, SurveyAction, TicketAction};
use fanatical::event::Event;
use fanatical::id::{ContactId, CustomerId, IncidentId, InvitationId};
use fanatical::outbox::Recipient;
use fanatical::permission::Permission;
use fanatical::store::{RecordedEvent, Store};
use fanatical::survey::{
    Answer, Question, QuestionKind, Response, SurveyConfig, SurveyDraft, SurveyKind,
};
use fanatical::template::{Locale, ReplyName, TemplateName, TemplateSet};
use proptest::prelude::*;

use crate::support::{World, denied};

fn es() -> Locale {
    Locale::spanish()
}

fn nps_config() -> DeskConfig {
    let nps = SurveyDraft::new("relationship")
        .question(Question::new("score", "Recommend us?", QuestionKind::Nps).required())
        .validate()
        .unwrap();
    DeskConfig::default().with_surveys(SurveyConfig::default().with_survey(nps))
}

fn set_locale(customer: CustomerId, contact: ContactId, locale: Option<Locale>) -> Command {
    Command::new(
        Actor::integration("crm"),
        CustomerAction::Update {
            customer,
            command: CustomerCommand::SetContactLocale { contact, locale },
        },
    )
}

fn invite(w: &mut World, customer: CustomerId) -> InvitationId {
    let invitation: InvitationId = w.ids.next_id();
    w.run(Command::new(
        Actor::integration("survey"),
        SurveyAction::Send {
            invitation,
            survey: "relationship".into(),
            kind: SurveyKind::Nps,
            customer,
            ticket: None,
            agent: None,
        },
    ))
    .unwrap();
    invitation
}

fn answer(w: &mut World, invitation: InvitationId, score: u8) {
    w.run(Command::new(
        Actor::integration("survey"),
        SurveyAction::Answer {
            invitation,
            response: Response::new().answer("score", Answer::Nps(score)),
        },
    ))
    .unwrap();
}

/// The bodies queued for `contact` (in the outbox's order).
fn to(d: &Desk, contact: ContactId) -> Vec<String> {
    d.channels()
        .outbox()
        .filter(|e| matches!(&e.message.recipient, Recipient::Contact { contact: c, .. } if *c == contact))
        .map(|e| e.message.body.clone())
        .collect()
}

/// Whether `contact` was sent exactly `body` once, among `n` messages.
fn got(d: &Desk, contact: ContactId, n: usize, body: &str) -> bool {
    let all = to(d, contact);
    all.len() == n && all.iter().filter(|b| *b == body).count() == 1
}

fn invitation_text(set: &TemplateSet, locale: Option<&Locale>, inv: InvitationId) -> String {
    set.render(
        TemplateName::SurveyInvitation,
        locale,
        &[("survey", "relationship"), ("invitation", &inv.to_string())],
    )
    .unwrap()
}

#[test]
fn a_contact_in_spanish_gets_invitation_and_thanks_in_spanish_and_others_english() {
    let mut w = World::with_config(nps_config());
    let (acme, jane, tiny, tom) = (w.acme, w.jane, w.tiny, w.tom);
    // Jane chooses Mexican Spanish herself: the set has Spanish.
    w.run(Command::new(
        Actor::Contact(jane),
        CustomerAction::set_locale(acme, jane, Locale::new("es-MX").unwrap()),
    ))
    .unwrap();
    let (to_jane, to_tom) = (invite(&mut w, acme), invite(&mut w, tiny));
    let set = TemplateSet::default();
    let spanish = invitation_text(&set, Some(&es()), to_jane);
    assert!(spanish.starts_with("¿Qué tal lo hicimos?"), "{spanish}");
    assert_eq!(to(&w.desk, jane), [spanish]);
    assert_eq!(to(&w.desk, tom), [invitation_text(&set, None, to_tom)]);
    assert!(to(&w.desk, tom)[0].starts_with("How did we do?"));

    answer(&mut w, to_jane, 10);
    answer(&mut w, to_tom, 10);
    assert!(
        got(
            &w.desk,
            jane,
            2,
            "Gracias por su opinión: nos ha alegrado el día."
        ),
        "{:?}",
        to(&w.desk, jane)
    );
    assert!(
        got(
            &w.desk,
            tom,
            2,
            "Thank you for your feedback — it made our day."
        ),
        "{:?}",
        to(&w.desk, tom)
    );
}

#[test]
fn an_incident_notice_reaches_each_contact_in_their_language() {
    let mut o = crate::incidents::outage_world(crate::incidents::config());
    let (acme, jane, olga) = (o.w.acme, o.w.jane, o.olga);
    o.w.run(set_locale(acme, jane, Some(es()))).unwrap();
    let id: IncidentId = o.w.ids.next_id();
    crate::incidents::declare(&mut o, id);
    let jane_got = to(&o.w.desk, jane);
    let olga_got = to(&o.w.desk, olga);
    assert_eq!(
        jane_got,
        [
            "[investigando] DFW1 power loss\n\nSites hosted in DFW1 are down. Next update within 30 minutes."
        ]
    );
    assert_eq!(olga_got.len(), 1);
    assert!(
        olga_got[0].starts_with("[investigating] DFW1 power loss\n\nUtility feed lost"),
        "{olga_got:?}"
    );
}

#[test]
fn contacts_in_one_language_still_get_their_own_audiences_words() {
    let mut o = crate::incidents::outage_world(crate::incidents::config());
    let (acme, jane, olga) = (o.w.acme, o.w.jane, o.olga);
    o.w.run(set_locale(acme, jane, Some(es()))).unwrap();
    o.w.run(set_locale(acme, olga, Some(es()))).unwrap();
    let id: IncidentId = o.w.ids.next_id();
    crate::incidents::declare(&mut o, id);
    assert_eq!(
        to(&o.w.desk, jane),
        [
            "[investigando] DFW1 power loss\n\nSites hosted in DFW1 are down. Next update within 30 minutes."
        ]
    );
    let olga_got = to(&o.w.desk, olga);
    assert_eq!(olga_got.len(), 1);
    assert!(
        olga_got[0].starts_with("[investigando] DFW1 power loss\n\nUtility feed lost"),
        "{olga_got:?}"
    );
}

#[test]
fn a_locale_is_recorded_reset_refused_for_strangers_and_erased() {
    let mut w = World::new();
    let (acme, jane, tom) = (w.acme, w.jane, w.tom);
    let stored = w.run(set_locale(acme, jane, Some(es()))).unwrap();
    assert!(matches!(
        &stored[..],
        [RecordedEvent { event: Event::Customer(e), .. }]
            if e.kind == CustomerEventKind::ContactLocaleSet { contact: jane, locale: Some(es()) }
    ));
    let contact = |d: &Desk| {
        d.customers()
            .get(acme)
            .unwrap()
            .contact(jane)
            .unwrap()
            .locale()
            .cloned()
    };
    assert_eq!(contact(&w.desk), Some(es()));
    // The same again changes nothing and records nothing.
    assert!(
        w.run(set_locale(acme, jane, Some(es())))
            .unwrap()
            .is_empty()
    );
    // Another person may not choose for Jane.
    let by_tom = Command::new(
        Actor::Contact(tom),
        CustomerAction::set_locale(acme, jane, Locale::english()),
    );
    let err = denied(
        &w.desk,
        Actor::Contact(tom),
        Permission::ManageCustomers,
        None,
    );
    w.refused(by_tom, err);
    // Nobody unknown.
    let ghost: ContactId = w.ids.next_id();
    w.refused(
        set_locale(acme, ghost, Some(es())),
        CustomerError::UnknownContact {
            customer: acme,
            contact: ghost,
        },
    );
    // Back to the desk's default.
    w.run(set_locale(acme, jane, None)).unwrap();
    assert_eq!(contact(&w.desk), None);
    // Erased with the contact.
    w.run(set_locale(acme, jane, Some(es()))).unwrap();
    w.run(Command::new(
        Actor::integration("privacy"),
        CustomerAction::EraseContact {
            customer: acme,
            contact: jane,
            scope: fanatical::customer::ErasureScope::Profile,
        },
    ))
    .unwrap();
    assert_eq!(contact(&w.desk), None);
}

#[test]
fn a_merged_contact_brings_their_locale_unless_the_target_has_one() {
    let mut w = World::new();
    let acme = w.acme;
    let add = |w: &mut World, name: &str, mail: &str| {
        let id: ContactId = w.ids.next_id();
        w.run(Command::new(
            Actor::integration("setup"),
            CustomerAction::Update {
                customer: acme,
                command: CustomerCommand::AddContact {
                    contact: id,
                    name: name.into(),
                    addresses: vec![fanatical::channel::ChannelAddress::email(mail).unwrap()],
                },
            },
        ))
        .unwrap();
        id
    };
    let (a, b, c) = (
        add(&mut w, "Ana", "a@acme.example"),
        add(&mut w, "Bea", "b@acme.example"),
        add(&mut w, "Cai", "c@acme.example"),
    );
    w.run(set_locale(acme, a, Some(es()))).unwrap();
    w.run(set_locale(acme, c, Some(Locale::english()))).unwrap();
    let merge = |source, target| {
        Command::new(
            Actor::integration("crm"),
            CustomerAction::MergeContacts {
                customer: acme,
                source,
                target,
            },
        )
    };
    let locale = |d: &Desk, id| {
        d.customers()
            .get(acme)
            .unwrap()
            .contact(id)
            .unwrap()
            .locale()
            .cloned()
    };
    // Bea had none: she takes Ana's.
    w.run(merge(a, b)).unwrap();
    assert_eq!(locale(&w.desk, b), Some(es()));
    // Cai keeps his own.
    w.run(merge(b, c)).unwrap();
    assert_eq!(locale(&w.desk, c), Some(Locale::english()));
    // A merged-away contact cannot be given one.
    assert!(w.run(set_locale(acme, a, Some(es()))).is_err());
}

#[test]
fn a_desk_in_spanish_writes_to_colleagues_and_contacts_without_a_locale_in_spanish() {
    let spanish = TemplateSet::default().with_default_locale(es()).unwrap();
    let mut w = World::with_config(nps_config().with_templates(spanish));
    let (tiny, tom) = (w.tiny, w.tom);
    let inv = invite(&mut w, tiny);
    assert_eq!(
        to(&w.desk, tom),
        [invitation_text(&TemplateSet::default(), Some(&es()), inv)]
    );
    // A contact who chose English still reads English.
    let (acme, jane) = (w.acme, w.jane);
    w.run(set_locale(acme, jane, Some(Locale::english())))
        .unwrap();
    let inv = invite(&mut w, acme);
    assert!(to(&w.desk, jane)[0].starts_with("How did we do?"), "{inv}");
    // A note for colleagues: the promise, in the desk's Spanish.
    let t = w.jane_emails("Site down");
    let ana = w.ana;
    w.run(Command::new(
        Actor::Agent(ana),
        TicketAction::assign(t, ana),
    ))
    .unwrap();
    let due = w.now + chrono::Duration::hours(2);
    w.run(Command::new(
        Actor::Agent(ana),
        TicketAction::Promise {
            ticket: t,
            due,
            note: String::new(),
        },
    ))
    .unwrap();
    let ticket = w.desk.tickets().get(t).unwrap();
    let last = ticket.conversation().last().unwrap();
    assert_eq!(
        last.body,
        format!("Se prometió al cliente una actualización antes de {due}.")
    );
}

#[test]
fn a_desks_own_text_replaces_the_built_in_one_and_survives_serde_and_snapshots() {
    let custom = TemplateSet::new(
        Locale::english(),
        [(
            Locale::english(),
            TemplateName::SurveyThanks,
            "Thanks a lot — the {{ 'team' | upper }} saw it.".to_owned(),
        )],
    )
    .unwrap();
    let config = nps_config().with_templates(custom);
    let json = serde_json::to_string(&config).unwrap();
    let back: DeskConfig = serde_json::from_str(&json).unwrap();
    assert_eq!(back, config);
    // The default set is left out, so configurations keep their shape.
    assert!(
        !serde_json::to_string(&nps_config())
            .unwrap()
            .contains("templates")
    );

    let mut w = World::with_config(config);
    let (acme, jane, tiny, tom) = (w.acme, w.jane, w.tiny, w.tom);
    w.run(set_locale(acme, jane, Some(es()))).unwrap();
    let (a, b) = (invite(&mut w, acme), invite(&mut w, tiny));
    answer(&mut w, a, 10);
    answer(&mut w, b, 10);
    assert!(
        got(&w.desk, tom, 2, "Thanks a lot — the TEAM saw it."),
        "{:?}",
        to(&w.desk, tom)
    );
    // Spanish keeps its built-in text.
    assert!(
        got(
            &w.desk,
            jane,
            2,
            "Gracias por su opinión: nos ha alegrado el día."
        ),
        "{:?}",
        to(&w.desk, jane)
    );

    let snapshot = w.desk.snapshot();
    let restored = Desk::restore(w.desk.config().clone(), snapshot).unwrap();
    assert_eq!(
        restored
            .customers()
            .get(acme)
            .unwrap()
            .contact(jane)
            .unwrap()
            .locale(),
        Some(&es())
    );
    assert_eq!(restored.config().templates, w.desk.config().templates);
}

#[test]
fn a_configuration_with_a_bad_template_is_refused_when_read() {
    let mut json = serde_json::to_value(DeskConfig::default()).unwrap();
    json["templates"] =
        serde_json::json!({"texts": {"es": {"survey-thanks": "Gracias, {{ nombre }}"}}});
    let err = serde_json::from_value::<DeskConfig>(json.clone())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("survey-thanks") && err.contains("nombre"),
        "{err}"
    );
    json["templates"] =
        serde_json::json!({"texts": {"es": {"survey-thanks": "Gracias, {{ survey }}"}}});
    assert!(serde_json::from_value::<DeskConfig>(json.clone()).is_err());
    json["templates"] = serde_json::json!({"texts": {"es": {"survey-thanks": "¡Mil gracias!"}}});
    let config = serde_json::from_value::<DeskConfig>(json).unwrap();
    assert_eq!(
        config
            .templates
            .text(TemplateName::SurveyThanks, Some(&es()), &[]),
        "¡Mil gracias!"
    );
}

#[test]
fn a_reply_of_the_desks_own_reads_in_the_contacts_language() {
    let apology = ReplyName::new("outage-apology").unwrap();
    let templates = TemplateSet::default()
        .with_reply(
            apology.clone(),
            [
                (
                    Locale::english(),
                    "Sorry, {{ requester }}: {{ subject }} is our priority.".to_owned(),
                ),
                (
                    es(),
                    "Lo sentimos, {{ requester }}: «{{ subject }}» es nuestra prioridad."
                        .to_owned(),
                ),
            ],
        )
        .unwrap();
    let mut w = World::with_config(DeskConfig::default().with_templates(templates));
    let (acme, jane, tiny, tom) = (w.acme, w.jane, w.tiny, w.tom);
    w.run(set_locale(acme, jane, Some(es()))).unwrap();
    let vars = [("requester", "Jane"), ("subject", "Site down")];
    assert_eq!(
        w.desk.reply_text(acme, jane, &apology, &vars).unwrap(),
        "Lo sentimos, Jane: «Site down» es nuestra prioridad."
    );
    assert_eq!(
        w.desk.reply_text(tiny, tom, &apology, &vars).unwrap(),
        "Sorry, Jane: Site down is our priority."
    );
    let ghost = ReplyName::new("ghost").unwrap();
    let err = w.desk.reply_text(tiny, tom, &ghost, &vars).unwrap_err();
    assert!(err.is_refusal(), "{err:?}");
}

/// One of each locale event, for the golden files.
pub(crate) fn golden_tour() -> Vec<RecordedEvent> {
    let mut w = World::new();
    let (acme, jane) = (w.acme, w.jane);
    w.run(set_locale(acme, jane, Some(es()))).unwrap();
    w.store.read_all(0, usize::MAX).unwrap()
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[{}%#a-z ]{0,24}",
        Just("{{ title }}".to_owned()),
        Just("{% for x in range(99999) %}{% endfor %}".to_owned()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::cases(256)))]

    /// Any values render every built-in name in both shipped locales
    /// (and in a locale the set lacks, through the fallback), and a value
    /// the text shows is shown exactly as given.
    #[test]
    fn any_values_render_every_name_in_both_locales(
        name in proptest::sample::select(TemplateName::ALL.to_vec()),
        values in proptest::collection::vec(value(), 6),
        locale in proptest::sample::select(vec!["en", "es", "es-AR", "de", "pt-BR"]),
    ) {
        let set = TemplateSet::default();
        let locale = Locale::new(locale).unwrap();
        let vars: Vec<(&str, &str)> = name
            .variables()
            .iter()
            .zip(&values)
            .map(|(k, v)| (*k, v.as_str()))
            .collect();
        let resolved = set.resolve(Some(&locale));
        let text = set.render(name, Some(&locale), &vars);
        prop_assert!(text.is_ok(), "{name} ({locale}): {text:?}");
        let text = text.unwrap();
        let source = set.source(&resolved, name).unwrap();
        for (k, v) in &vars {
            if !v.is_empty() && source.contains(&format!("{{{{ {k} }}}}")) {
                prop_assert!(text.contains(v), "{name} ({resolved}) lost {k}={v:?}: {text:?}");
            }
        }
        prop_assert_eq!(set.text(name, Some(&locale), &vars), text);
    }
}
