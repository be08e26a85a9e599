#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

fn en() -> Locale {
    Locale::english()
}

fn de() -> Locale {
    Locale::new("de").unwrap()
}

/// Every variable of `name`, each given the value `value`.
fn vars_of(name: TemplateName, value: &str) -> Vec<(&'static str, String)> {
    name.variables()
        .iter()
        .map(|v| (*v, value.to_owned()))
        .collect()
}

fn as_refs<'a>(vars: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    vars.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[test]
fn every_builtin_name_renders_in_both_locales_with_its_variables() {
    let set = TemplateSet::default();
    for &name in TemplateName::ALL {
        let vars = vars_of(name, "VALUE");
        for locale in TemplateSet::builtin_locales() {
            let text = set.render(name, Some(&locale), &as_refs(&vars)).unwrap();
            assert!(!text.trim().is_empty(), "{name} ({locale}) is blank");
        }
        // Each variable it is given shows in one locale at least (a
        // locale may leave one out: Spanish names a rating by its
        // points, not its English word).
        for v in name.variables() {
            let marked: Vec<_> = vars
                .iter()
                .map(|(k, x)| (*k, if k == v { "MARK".to_owned() } else { x.clone() }))
                .collect();
            let shown = TemplateSet::builtin_locales().iter().any(|l| {
                set.render(name, Some(l), &as_refs(&marked))
                    .unwrap()
                    .contains("MARK")
            });
            assert!(shown, "{name} never shows {v}");
        }
    }
}

#[test]
fn spanish_is_a_translation_not_a_copy() {
    let set = TemplateSet::default();
    let es = Locale::spanish();
    // Texts with words differ; the incident notice and signature are
    // layout only.
    let layout = [
        TemplateName::IncidentNotice,
        TemplateName::IncidentSignature,
    ];
    for &name in TemplateName::ALL.iter().filter(|n| !layout.contains(n)) {
        assert_ne!(
            set.source(&en(), name),
            set.source(&es, name),
            "{name} is not translated"
        );
    }
}

#[test]
fn english_is_the_desks_original_wording() {
    let set = TemplateSet::default();
    assert_eq!(
        set.render(
            TemplateName::SurveyInvitation,
            None,
            &[("survey", "Q4"), ("invitation", "abc")]
        )
        .unwrap(),
        "How did we do? Please answer our short survey \"Q4\" (invitation abc)."
    );
    let notice = |status| {
        set.render(
            TemplateName::IncidentNotice,
            None,
            &[
                ("status", status),
                ("title", "DB down"),
                ("message", "We are on it."),
                ("signature", "\n\n— Ana"),
            ],
        )
        .unwrap()
    };
    assert_eq!(
        notice("identified"),
        "[identified] DB down\n\nWe are on it.\n\n— Ana"
    );
    assert_eq!(notice(""), "DB down\n\nWe are on it.\n\n— Ana");
}

#[test]
fn values_are_data_not_templates() {
    let set = TemplateSet::default();
    let text = set
        .render(
            TemplateName::Kudos,
            None,
            &[
                ("name", "{{ text }}"),
                ("text", "{% for x in range(9) %}x{% endfor %}"),
            ],
        )
        .unwrap();
    assert_eq!(
        text,
        "Kudos for {{ text }}: \"{% for x in range(9) %}x{% endfor %}\""
    );
    // Nothing is escaped either.
    let text = set
        .render(TemplateName::Praise, None, &[("text", "<b>&'\"</b>")])
        .unwrap();
    assert_eq!(text, "A customer praised you: \"<b>&'\"</b>\"");
}

#[test]
fn an_unknown_variable_is_refused_naming_template_locale_and_variable() {
    let err = TemplateSet::new(
        en(),
        [(
            en(),
            TemplateName::SurveyThanks,
            "Thanks, {{ name }}!".to_owned(),
        )],
    )
    .unwrap_err();
    assert_eq!(
        err,
        TemplateError::UnknownVariable {
            locale: en(),
            template: TemplateName::SurveyThanks,
            variable: "name".to_owned(),
        }
    );
    let shown = err.to_string();
    assert!(
        shown.contains("survey-thanks") && shown.contains("\"name\""),
        "{shown}"
    );
    // A variable of another name is unknown here too.
    assert!(matches!(
        TemplateSet::new(
            en(),
            [(Locale::spanish(), TemplateName::Praise, "{{ survey }}".to_owned())]
        ),
        Err(TemplateError::UnknownVariable { template: TemplateName::Praise, ref variable, .. })
            if variable == "survey"
    ));
}

#[test]
fn a_syntax_error_is_refused_naming_template_and_locale() {
    let err = TemplateSet::new(
        en(),
        [(
            Locale::spanish(),
            TemplateName::SurveyThanks,
            "Gracias {% if %}".to_owned(),
        )],
    )
    .unwrap_err();
    assert!(
        matches!(
            &err,
            TemplateError::Syntax { locale, template: TemplateName::SurveyThanks, .. }
                if *locale == Locale::spanish()
        ),
        "{err:?}"
    );
}

#[test]
fn a_new_locale_must_be_complete() {
    let one = [(de(), TemplateName::SurveyThanks, "Danke!".to_owned())];
    let err = TemplateSet::new(en(), one).unwrap_err();
    assert!(
        matches!(&err, TemplateError::MissingText { locale, .. } if *locale == de()),
        "{err:?}"
    );
    // With every name it loads, and may be the default.
    let all = TemplateName::ALL
        .iter()
        .map(|&n| (de(), n, format!("de:{n}")))
        .collect::<Vec<_>>();
    let set = TemplateSet::new(de(), all).unwrap();
    assert_eq!(
        set.text(TemplateName::SurveyThanks, None, &[]),
        "de:survey-thanks"
    );
    assert_eq!(set.default_locale(), &de());
}

#[test]
fn the_default_locale_must_have_texts() {
    assert_eq!(
        TemplateSet::new(de(), []).unwrap_err(),
        TemplateError::UnknownDefault(de())
    );
    assert!(TemplateSet::default().with_default_locale(de()).is_err());
    let es = TemplateSet::default()
        .with_default_locale(Locale::spanish())
        .unwrap();
    assert_eq!(
        es.text(TemplateName::SurveyThanks, None, &[]),
        "Gracias por su opinión: nos ha alegrado el día."
    );
}

#[test]
fn locales_fall_back_to_their_language_then_the_default() {
    let set = TemplateSet::default();
    let mx = Locale::new("es-MX").unwrap();
    assert_eq!(set.resolve(Some(&mx)), Locale::spanish());
    assert_eq!(set.resolve(Some(&de())), en());
    assert_eq!(set.resolve(None), en());
    let es_default = set.clone().with_default_locale(Locale::spanish()).unwrap();
    assert_eq!(es_default.resolve(Some(&de())), Locale::spanish());
    assert_eq!(
        es_default.resolve(Some(&Locale::new("en-GB").unwrap())),
        en()
    );
}

#[test]
fn an_override_replaces_one_text_and_keeps_the_rest() {
    let set = TemplateSet::new(
        en(),
        [(
            en(),
            TemplateName::SurveyThanks,
            "Cheers — {{ 'much' | upper }} appreciated.".to_owned(),
        )],
    )
    .unwrap();
    assert_eq!(
        set.text(TemplateName::SurveyThanks, None, &[]),
        "Cheers — MUCH appreciated."
    );
    assert_eq!(
        set.text(TemplateName::SurveyThanks, Some(&Locale::spanish()), &[]),
        "Gracias por su opinión: nos ha alegrado el día."
    );
}

#[test]
fn rendering_is_bounded_and_text_falls_back() {
    let set = TemplateSet::new(
        en(),
        [(
            en(),
            TemplateName::SurveyThanks,
            "{% for a in range(1000) %}{% for b in range(1000) %}x{% endfor %}{% endfor %}"
                .to_owned(),
        )],
    )
    .unwrap();
    let err = set
        .render(TemplateName::SurveyThanks, None, &[])
        .unwrap_err();
    assert!(matches!(err, TemplateError::Render { .. }), "{err:?}");
    assert_eq!(
        set.text(TemplateName::SurveyThanks, None, &[]),
        "Thank you for your feedback — it made our day."
    );
    // A variable the caller left out is an error too, not a blank.
    assert!(matches!(
        TemplateSet::default().render(TemplateName::Praise, None, &[]),
        Err(TemplateError::Render { .. })
    ));
}

#[test]
fn serde_keeps_the_texts_and_validates_them() {
    let set = TemplateSet::new(
        Locale::spanish(),
        [(en(), TemplateName::Praise, "Nice: {{ text }}".to_owned())],
    )
    .unwrap();
    let json = serde_json::to_string(&set).unwrap();
    assert_eq!(
        json,
        r#"{"default_locale":"es","texts":{"en":{"praise":"Nice: {{ text }}"}}}"#
    );
    let back: TemplateSet = serde_json::from_str(&json).unwrap();
    assert_eq!(back, set);
    assert_eq!(
        back.text(TemplateName::Praise, Some(&en()), &[("text", "x")]),
        "Nice: x"
    );
    assert_eq!(
        serde_json::to_string(&TemplateSet::default()).unwrap(),
        "{}"
    );
    let bad = r#"{"texts":{"en":{"praise":"{{ nobody }}"}}}"#;
    let err = serde_json::from_str::<TemplateSet>(bad)
        .unwrap_err()
        .to_string();
    assert!(err.contains("nobody"), "{err}");
    let unknown = r#"{"texts":{"en":{"no-such-text":"x"}}}"#;
    assert!(serde_json::from_str::<TemplateSet>(unknown).is_err());
}

#[test]
fn locale_tags_are_checked_and_canonical() {
    for (given, canonical) in [
        ("en", "en"),
        ("ES", "es"),
        ("pt_br", "pt-BR"),
        ("zh-hant-tw", "zh-Hant-TW"),
        ("es-419", "es-419"),
        (" de-CH ", "de-CH"),
    ] {
        assert_eq!(Locale::new(given).unwrap().as_str(), canonical, "{given}");
    }
    for bad in [
        "",
        "e",
        "english",
        "en-",
        "-en",
        "en--GB",
        "en-toolongsubtag",
        "e1",
        "en GB",
        "ñu",
    ] {
        assert!(
            matches!(Locale::new(bad), Err(TemplateError::InvalidLocale(_))),
            "{bad:?} accepted"
        );
    }
    assert!(serde_json::from_str::<Locale>("\"xx-\"").is_err());
}

#[test]
fn the_set_is_shared_between_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<TemplateSet>();
}

fn apology() -> ReplyName {
    ReplyName::new("outage-apology").unwrap()
}

#[test]
fn replies_render_in_the_readers_locale_and_fall_back_to_the_default() {
    let set = TemplateSet::default()
        .with_reply(
            apology(),
            [
                (en(), "Sorry, {{ requester }} ({{ ticket }}).".to_owned()),
                (
                    Locale::spanish(),
                    "Lo sentimos, {{ requester }}.".to_owned(),
                ),
            ],
        )
        .unwrap();
    let vars = [("requester", "{{ agent }}"), ("ticket", "T-1")];
    let mx = Locale::new("es-MX").unwrap();
    assert_eq!(
        set.render_reply(&apology(), Some(&mx), &vars).unwrap(),
        "Lo sentimos, {{ agent }}."
    );
    assert_eq!(
        set.render_reply(&apology(), Some(&de()), &vars).unwrap(),
        "Sorry, {{ agent }} (T-1)."
    );
    assert_eq!(set.replies().collect::<Vec<_>>(), [&apology()]);
    let other = ReplyName::new("other").unwrap();
    assert_eq!(
        set.render_reply(&other, None, &vars),
        Err(TemplateError::UnknownReply(other))
    );
    assert!(matches!(
        set.render_reply(&apology(), None, &[("requester", "Jane")]),
        Err(TemplateError::ReplyRender { .. })
    ));
    // Kept by serde, and checked when read.
    let back: TemplateSet = serde_json::from_str(&serde_json::to_string(&set).unwrap()).unwrap();
    assert_eq!(back, set);
    assert!(!set.is_default());
}

#[test]
fn a_bad_reply_is_refused_naming_it() {
    let base = TemplateSet::default;
    assert_eq!(
        base()
            .with_reply(apology(), [(en(), "{{ password }}".to_owned())])
            .unwrap_err(),
        TemplateError::ReplyUnknownVariable {
            reply: apology(),
            locale: en(),
            variable: "password".to_owned(),
        }
    );
    assert_eq!(
        base()
            .with_reply(apology(), [(Locale::spanish(), "Hola".to_owned())])
            .unwrap_err(),
        TemplateError::ReplyLocale {
            reply: apology(),
            locale: en(),
        }
    );
    assert_eq!(
        base()
            .with_reply(
                apology(),
                [(en(), "Hi".to_owned()), (de(), "Hallo".to_owned())]
            )
            .unwrap_err(),
        TemplateError::ReplyLocale {
            reply: apology(),
            locale: de(),
        }
    );
    assert!(matches!(
        base().with_reply(apology(), [(en(), "{% if %}".to_owned())]),
        Err(TemplateError::ReplySyntax { .. })
    ));
    // A reply in English only stops the default moving to Spanish.
    let set = base()
        .with_reply(apology(), [(en(), "Hi".to_owned())])
        .unwrap();
    assert!(matches!(
        set.with_default_locale(Locale::spanish()),
        Err(TemplateError::ReplyLocale { .. })
    ));
    for bad in ["", "Upper", "with space", "ümlaut"] {
        assert!(ReplyName::new(bad).is_err(), "{bad:?}");
    }
}
