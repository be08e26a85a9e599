//! The built-in texts: every name in English and in Spanish, with the
//! variables each name provides.
//!
//! English is the desk's original wording, byte for byte: a desk that
//! never sets a locale writes exactly what it wrote before templates.

/// Declares [`TemplateName`]: each variant's wire name, the variables it
/// provides, and its English and Spanish texts.
macro_rules! templates {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident = $wire:literal [$($var:literal),*]
            en: $en:literal
            es: $es:literal;
    )*) => {
        /// A text the desk writes: each one names the variables it
        /// provides, and every locale a [`TemplateSet`](super::TemplateSet)
        /// holds has a text for each.
        ///
        /// Written as kebab case in configuration (`survey-invitation`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "kebab-case")]
        #[non_exhaustive]
        pub enum TemplateName {
            $($(#[doc = $doc])* $variant,)*
        }

        impl TemplateName {
            /// Every built-in name, in declaration order.
            pub const ALL: &'static [TemplateName] = &[$(TemplateName::$variant),*];

            /// The name as configuration writes it (`survey-invitation`).
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(TemplateName::$variant => $wire,)*
                }
            }

            /// The variables this text is given, and the only ones its
            /// templates may name.
            #[must_use]
            pub const fn variables(self) -> &'static [&'static str] {
                match self {
                    $(TemplateName::$variant => &[$($var),*],)*
                }
            }

            /// The built-in source in `language` (`en` or `es`), if one is
            /// shipped.
            #[must_use]
            pub(super) fn builtin(self, language: &str) -> Option<&'static str> {
                match (self, language) {
                    $(
                        (TemplateName::$variant, "en") => Some($en),
                        (TemplateName::$variant, "es") => Some($es),
                    )*
                    _ => None,
                }
            }
        }
    };
}

templates! {
    /// The email inviting a contact to a survey (to the contact).
    SurveyInvitation = "survey-invitation" ["survey", "invitation"]
        en: "How did we do? Please answer our short survey \"{{ survey }}\" (invitation {{ invitation }})."
        es: "¿Qué tal lo hicimos? Por favor, responda a nuestra breve encuesta «{{ survey }}» (invitación {{ invitation }}).";
    /// The thank-you for a high score (to the contact).
    SurveyThanks = "survey-thanks" []
        en: "Thank you for your feedback — it made our day."
        es: "Gracias por su opinión: nos ha alegrado el día.";
    /// The subject of the task following up a low score (to colleagues).
    SurveyFollowUpSubject = "survey-follow-up-subject" ["score", "survey"]
        en: "Follow up: {{ score }} on \"{{ survey }}\""
        es: "Seguimiento: {{ score }} en «{{ survey }}»";
    /// A low NPS, as the follow-up names it.
    SurveyScoreNps = "survey-score-nps" ["nps"]
        en: "NPS {{ nps }}"
        es: "un NPS de {{ nps }}";
    /// A low rating, as the follow-up names it (`rating` is the answer's
    /// name in lower case, `points` its points from 1 to 5).
    SurveyScoreRating = "survey-score-rating" ["rating", "points"]
        en: "a rating of {{ rating }}"
        es: "una valoración de {{ points }} sobre 5";
    /// A low score of no other kind, as the follow-up names it.
    SurveyScoreLow = "survey-score-low" []
        en: "a low score"
        es: "una puntuación baja";
    /// The note on a follow-up task when the customer left no comment.
    SurveyFollowUpNote = "survey-follow-up-note" ["customer", "score"]
        en: "{{ customer }} gave {{ score }}. Call them personally."
        es: "{{ customer }} nos dio {{ score }}. Llámele personalmente.";
    /// The note on a follow-up task quoting the customer's comment.
    SurveyFollowUpComment = "survey-follow-up-comment" ["score", "comment"]
        en: "Customer gave {{ score }} and said: \"{{ comment }}\". Call them personally."
        es: "El cliente nos dio {{ score }} y dijo: «{{ comment }}». Llámele personalmente.";
    /// The subject of the follow-up opened for a survey comment that
    /// signals a crisis.
    SurveyCrisisSubject = "survey-crisis-subject" ["survey"]
        en: "Follow up on \"{{ survey }}\""
        es: "Seguimiento de «{{ survey }}»";
    /// An incident notice or status update (to each affected contact, and
    /// to the press): `status` is empty when there is none to show,
    /// `message` is the incident team's own text, `signature` the
    /// rendered [`TemplateName::IncidentSignature`] or empty.
    IncidentNotice = "incident-notice" ["status", "title", "message", "signature"]
        en: "{% if status %}[{{ status }}] {% endif %}{{ title }}\n\n{{ message }}{{ signature }}"
        es: "{% if status %}[{{ status }}] {% endif %}{{ title }}\n\n{{ message }}{{ signature }}";
    /// The spokesperson's signature under an incident text.
    IncidentSignature = "incident-signature" ["name"]
        en: "\n\n— {{ name }}"
        es: "\n\n— {{ name }}";
    /// The status "investigating", as incident notices show it.
    IncidentInvestigating = "incident-investigating" []
        en: "investigating"
        es: "investigando";
    /// The status "identified".
    IncidentIdentified = "incident-identified" []
        en: "identified"
        es: "causa identificada";
    /// The status "monitoring".
    IncidentMonitoring = "incident-monitoring" []
        en: "monitoring"
        es: "en observación";
    /// The status "resolved".
    IncidentResolved = "incident-resolved" []
        en: "resolved"
        es: "resuelto";
    /// The title of a post-incident review's notice.
    IncidentReviewTitle = "incident-review-title" ["title"]
        en: "Post-incident review: {{ title }}"
        es: "Revisión posterior al incidente: {{ title }}";
    /// The body of a post-incident review's notice.
    IncidentReviewText = "incident-review-text" ["what_happened", "prevention"]
        en: "What happened\n{{ what_happened }}\n\nWhat we are doing so it does not happen again\n{{ prevention }}"
        es: "Qué ocurrió\n{{ what_happened }}\n\nQué estamos haciendo para que no vuelva a ocurrir\n{{ prevention }}";
    /// The page to an incident's commander that an update is due soon.
    IncidentUpdateDue = "incident-update-due" ["title", "due"]
        en: "Incident \"{{ title }}\": the next update is due at {{ due }}."
        es: "Incidente «{{ title }}»: la próxima actualización vence el {{ due }}.";
    /// The page to an incident's commander that an update was missed.
    IncidentUpdateMissed = "incident-update-missed" ["title", "due"]
        en: "Incident \"{{ title }}\": the update due at {{ due }} was missed."
        es: "Incidente «{{ title }}»: no salió la actualización prevista para el {{ due }}.";
    /// The page asking an account manager to follow up after an incident.
    IncidentFollowUp = "incident-follow-up" ["organisation", "title", "reason"]
        en: "Follow up with {{ organisation }} about incident \"{{ title }}\" and make sure they are happy ({{ reason }})."
        es: "Póngase en contacto con {{ organisation }} por el incidente «{{ title }}» y asegúrese de que estén satisfechos ({{ reason }}).";
    /// The subject of the task to call a contact no written update reaches.
    IncidentCallSubject = "incident-call-subject" ["name", "title"]
        en: "Call {{ name }} about incident \"{{ title }}\""
        es: "Llamar a {{ name }} por el incidente «{{ title }}»";
    /// The note on a call-out task, by phone.
    IncidentCallPhone = "incident-call-phone" ["name", "organisation", "number", "title", "message", "signature"]
        en: "Call {{ name }} of {{ organisation }} on {{ number }}: no written update about incident \"{{ title }}\" can reach them. Tell them: {{ message }}{{ signature }}"
        es: "Llame a {{ name }}, de {{ organisation }}, al {{ number }}: ninguna actualización escrita sobre el incidente «{{ title }}» le llega. Dígale: {{ message }}{{ signature }}";
    /// The note on a call-out task, by video.
    IncidentCallVideo = "incident-call-video" ["name", "organisation", "number", "title", "message", "signature"]
        en: "Call {{ name }} of {{ organisation }} on video at {{ number }}: no written update about incident \"{{ title }}\" can reach them. Tell them: {{ message }}{{ signature }}"
        es: "Haga una videollamada a {{ name }}, de {{ organisation }}, en {{ number }}: ninguna actualización escrita sobre el incidente «{{ title }}» le llega. Dígale: {{ message }}{{ signature }}";
    /// The page to an agent a customer praised.
    Praise = "praise" ["text"]
        en: "A customer praised you: \"{{ text }}\""
        es: "Un cliente le ha elogiado: «{{ text }}»";
    /// The page to the praised agent's managers.
    Kudos = "kudos" ["name", "text"]
        en: "Kudos for {{ name }}: \"{{ text }}\""
        es: "Felicitaciones para {{ name }}: «{{ text }}»";
    /// The page to an agent a colleague recognised.
    PeerRecognition = "peer-recognition" ["colleague", "note"]
        en: "{{ colleague }} recognised you: {{ note }}"
        es: "{{ colleague }} le ha dado un reconocimiento: {{ note }}";
    /// The page to an agent awarded a certificate.
    Certificate = "certificate" ["title", "serial", "by"]
        en: "{{ title }} {{ serial }} — from {{ by }}"
        es: "{{ title }} {{ serial }} — de parte de {{ by }}";
    /// The reminder to acknowledge praise personally.
    KudosReminder = "kudos-reminder" ["agent", "text"]
        en: "Reminder: kudos for {{ agent }} are waiting for your personal acknowledgement: \"{{ text }}\""
        es: "Recordatorio: las felicitaciones para {{ agent }} esperan su reconocimiento personal: «{{ text }}»";
    /// The page to a follower: a new internal note.
    FollowerNote = "follower-note" ["ticket"]
        en: "Ticket {{ ticket }} (which you follow) has a new internal note."
        es: "El ticket {{ ticket }}, que usted sigue, tiene una nueva nota interna.";
    /// The page to a follower: a new message from the customer.
    FollowerMessage = "follower-message" ["ticket"]
        en: "Ticket {{ ticket }} (which you follow) has a new message from the customer."
        es: "El ticket {{ ticket }}, que usted sigue, tiene un nuevo mensaje del cliente.";
    /// The page to a follower: a new public reply.
    FollowerReply = "follower-reply" ["ticket"]
        en: "Ticket {{ ticket }} (which you follow) has a new public reply."
        es: "El ticket {{ ticket }}, que usted sigue, tiene una nueva respuesta pública.";
    /// The page to a lead when an agent repeats a kind of mistake.
    CourseCorrection = "course-correction" ["name", "kind", "count", "days"]
        en: "Course correction: {{ name }} has made the same kind of mistake ({{ kind }}) {{ count }} times in {{ days }} days."
        es: "Corrección de rumbo: {{ name }} ha cometido el mismo tipo de error ({{ kind }}) {{ count }} veces en {{ days }} días.";
    /// A kind of mistake as the course-correction page names it: told
    /// the customer something wrong. (English keeps the desk's original
    /// wording; a kind of the desk's own is named as it was recorded.)
    MistakeWrongInformation = "mistake-wrong-information" []
        en: "WrongInformation"
        es: "información errónea";
    /// Promised a follow-up and did not.
    MistakeMissedFollowUp = "mistake-missed-follow-up" []
        en: "MissedFollowUp"
        es: "seguimiento prometido y no hecho";
    /// Tone or courtesy.
    MistakeTone = "mistake-tone" []
        en: "Tone"
        es: "tono";
    /// Shared something that should have stayed private.
    MistakePrivacy = "mistake-privacy" []
        en: "Privacy"
        es: "privacidad";
    /// Posted from the wrong account or on the wrong channel.
    MistakeWrongChannel = "mistake-wrong-channel" []
        en: "WrongChannel"
        es: "cuenta o canal equivocado";
    /// Let an SLA slip.
    MistakeSlaMiss = "mistake-sla-miss" []
        en: "SlaMiss"
        es: "SLA incumplido";
    /// The note recording a promise to update the customer.
    Promise = "promise" ["due"]
        en: "Promised the customer an update by {{ due }}."
        es: "Se prometió al cliente una actualización antes de {{ due }}.";
    /// The note recording a promise, with the agent's note.
    PromiseNote = "promise-note" ["due", "note"]
        en: "Promised the customer an update by {{ due }}: {{ note }}"
        es: "Se prometió al cliente una actualización antes de {{ due }}: {{ note }}";
    /// The page to those told of a hand-off.
    HandOff = "hand-off" ["ticket", "department", "reason"]
        en: "Ticket {{ ticket }} is yours now ({{ department }}): {{ reason }}"
        es: "El ticket {{ ticket }} ahora es suyo ({{ department }}): {{ reason }}";
    /// The page of a restricted (crisis) ticket's hand-off: no reason.
    HandOffRestricted = "hand-off-restricted" ["ticket", "department"]
        en: "Ticket {{ ticket }} is yours now ({{ department }}). It is restricted: a safety responder is handling it."
        es: "El ticket {{ ticket }} ahora es suyo ({{ department }}). Es de acceso restringido: lo atiende un responsable de seguridad.";
    /// The subject of the task offering a big new customer a video
    /// onboarding session.
    OnboardingOffer = "onboarding-offer" []
        en: "Offer a video onboarding session"
        es: "Ofrecer una sesión de bienvenida por videollamada";
    /// The page telling people of a trend.
    Trend = "trend" ["key", "count", "baseline", "z", "tickets"]
        en: "Trend on {{ key }}: {{ count }} tickets in the last window against a baseline of {{ baseline }} (z = {{ z }}). Tickets: {{ tickets }}"
        es: "Tendencia en {{ key }}: {{ count }} tickets en el último intervalo frente a una referencia de {{ baseline }} (z = {{ z }}). Tickets: {{ tickets }}";
    /// The page a trigger's page action sends (to agents): `rule` is the
    /// trigger's name, `body` the action's text, trimmed.
    RuleNotice = "rule-notice" ["ticket", "rule", "body"]
        en: "Ticket {{ ticket }} ({{ rule }}): {{ body }}"
        es: "El ticket {{ ticket }} (regla «{{ rule }}»): {{ body }}";
    /// Why a ticket is handed to a department when no escalation rule
    /// moved it: its start node owns it (the reason of
    /// `Command::escalate`'s hand-off, to colleagues).
    EscalationOwner = "escalation-owner" ["department"]
        en: "{{ department }} owns it"
        es: "le corresponde a {{ department }}";
    /// What an escalation simulation says first: the ticket opened (see
    /// `TicketsView::simulate_escalation`).
    EscalationOpened = "escalation-opened" []
        en: "opened"
        es: "abierto";
    /// What an escalation simulation says when an SLA target warns:
    /// `metric` as the record names it (`first_response`), `percent` of
    /// the target used.
    EscalationWarned = "escalation-warned" ["metric", "percent"]
        en: "{{ metric }} warned at {{ percent }}%"
        es: "aviso de {{ metric }} al {{ percent }} %";
    /// What an escalation simulation says when an SLA target is breached.
    EscalationBreached = "escalation-breached" ["metric"]
        en: "{{ metric }} breached"
        es: "{{ metric }} incumplido";
    /// The organisation name of a customer registered for a sender no
    /// contact holds, when the address gives no domain: `channel` is the
    /// address's kind (`phone`, `chat`).
    NewCustomer = "new-customer" ["channel"]
        en: "New customer ({{ channel }})"
        es: "Cliente nuevo ({{ channel }})";
    /// What a person's subject-access export shows for the subject of a
    /// ticket of another contact they wrote on (to the contact).
    ExportOtherTicket = "export-other-ticket" []
        en: "(another contact's ticket)"
        es: "(ticket de otro contacto)";
    /// The page to the safety responder given a crisis ticket.
    CrisisResponder = "crisis-responder" ["ticket"]
        en: "A person may be at risk: ticket {{ ticket }} is yours now. Open it in the safety view."
        es: "Una persona puede estar en peligro: el ticket {{ ticket }} ahora es suyo. Ábralo en la vista de seguridad.";
    /// The page to the next safety responder when nobody is on duty.
    CrisisResponderNext = "crisis-responder-next" ["ticket", "at"]
        en: "A person may be at risk: ticket {{ ticket }} is yours. Nobody is on duty now and you are next, from {{ at }}. Open it in the safety view."
        es: "Una persona puede estar en peligro: el ticket {{ ticket }} es suyo. Ahora no hay nadie de guardia y usted es el siguiente, a partir de {{ at }}. Ábralo en la vista de seguridad.";
    /// The page to the safety lead when the responder is off duty.
    CrisisOffDuty = "crisis-off-duty" ["ticket", "responder", "at"]
        en: "A person may be at risk on ticket {{ ticket }} and no safety responder is on duty: it went to {{ responder }}, on duty from {{ at }}. Make sure someone responds now."
        es: "Una persona puede estar en peligro en el ticket {{ ticket }} y no hay ningún responsable de seguridad de guardia: se asignó a {{ responder }}, de guardia a partir de {{ at }}. Asegúrese de que alguien responda ya.";
    /// The page to the safety lead when there is no responder at all.
    CrisisNobody = "crisis-nobody" ["ticket"]
        en: "A person may be at risk on ticket {{ ticket }} and there is no safety responder to take it. Find someone to respond now."
        es: "Una persona puede estar en peligro en el ticket {{ ticket }} y no hay ningún responsable de seguridad que lo atienda. Busque a alguien que responda ya.";
}
