//! Templates and locales: every text the desk writes to a customer or a
//! colleague — survey invitations and thank-yous, follow-up tasks,
//! incident notices and status updates, pages, kudos, certificates —
//! comes from a [`TemplateSet`]: for each [`Locale`] and each
//! [`TemplateName`], a source text with named variables.
//!
//! Two locales ship complete: English (`en`, the desk's original wording,
//! byte for byte) and Spanish (`es`). A custom set overrides any built-in
//! text and may add locales of its own, each complete. It may also hold
//! replies of the desk's own ([`TemplateSet::with_reply`]) for macros and
//! triggers that reply with a template.
//!
//! **Validated when loaded.** [`TemplateSet::new`] (and reading one with
//! serde) refuses a set with a syntax error, a template naming a variable
//! its name does not provide, or a locale missing a built-in name; each
//! a [`TemplateError`] naming the template, the locale and the variable.
//!
//! **Which locale.** A text for a contact is in the contact's locale
//! ([`crate::customer::Contact::locale`]); a text for colleagues is in
//! the set's default locale. [`TemplateSet::resolve`] falls back from a
//! locale the set lacks to its language alone (`es-MX` → `es`), then to
//! the set's default locale, which is English unless configured.
//!
//! **Values are data.** Variables are rendered as they are: a customer's
//! name or comment holding `{{ ... }}` is printed, never evaluated, and
//! nothing is escaped (the texts are plain text). Rendering is bounded
//! (the engine's fuel) and never panics; [`TemplateSet::text`] never
//! fails.
//!
//! The engine is [minijinja](https://docs.rs/minijinja) with strict
//! undefined variables, templates parsed from memory (no loader: no file
//! is ever read) and no auto-escaping.
//!
//! ```
//! use fanatical::template::{Locale, TemplateName, TemplateSet};
//!
//! let set = TemplateSet::default();
//! let es = Locale::new("es-MX")?;
//! let vars = [("survey", "Onboarding"), ("invitation", "inv-1")];
//! assert_eq!(
//!     set.render(TemplateName::SurveyInvitation, Some(&es), &vars)?,
//!     "¿Qué tal lo hicimos? Por favor, responda a nuestra breve encuesta «Onboarding» (invitación inv-1)."
//! );
//! // No locale: the default, English.
//! assert!(set.text(TemplateName::SurveyInvitation, None, &vars).starts_with("How did we do?"));
//!
//! // A custom text must name only the variables its name provides.
//! let wrong = TemplateSet::new(Locale::english(), [(
//!     Locale::english(),
//!     TemplateName::SurveyThanks,
//!     "Thanks, {{ name }}!".to_owned(),
//! )]);
//! assert!(wrong.is_err());
//! # Ok::<(), fanatical::template::TemplateError>(())
//! ```

mod builtin;
mod locale;
mod reply;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, OnceLock};

use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value};
use serde::{Deserialize, Serialize};

pub use builtin::TemplateName;
pub use locale::Locale;
pub use reply::{REPLY_VARIABLES, ReplyName};

/// The engine's fuel for one render: about this many instructions, or
/// this many times 64 bytes of data. Every built-in text takes a few
/// dozen; a custom template with a runaway loop stops here with
/// [`TemplateError::Render`].
pub const FUEL: u64 = 50_000;

/// A template set that failed to load, or a text that failed to render.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TemplateError {
    /// Not a language tag (`en`, `es`, `pt-BR`, `zh-Hant-TW`).
    #[error("invalid locale {0:?}: expected a language tag such as en, es or pt-BR")]
    InvalidLocale(String),
    /// A locale of the set has no text for a built-in name.
    #[error("locale {locale} has no text for template {template}")]
    MissingText {
        /// The locale.
        locale: Locale,
        /// The name it lacks.
        template: TemplateName,
    },
    /// A template does not parse.
    #[error("template {template} ({locale}) does not parse: {message}")]
    Syntax {
        /// The locale.
        locale: Locale,
        /// The template.
        template: TemplateName,
        /// What the engine said.
        message: String,
    },
    /// A template names a variable its name does not provide.
    #[error(
        "template {template} ({locale}) names {variable:?}, which it is not given (it is given: {})",
        template.variables().join(", ")
    )]
    UnknownVariable {
        /// The locale.
        locale: Locale,
        /// The template.
        template: TemplateName,
        /// The variable.
        variable: String,
    },
    /// Not a reply name (lower-case letters, digits and `-`).
    #[error("invalid reply name {0:?}: expected lower-case letters, digits and -")]
    InvalidReplyName(String),
    /// A reply does not parse.
    #[error("reply {reply} ({locale}) does not parse: {message}")]
    ReplySyntax {
        /// The reply.
        reply: ReplyName,
        /// The locale.
        locale: Locale,
        /// What the engine said.
        message: String,
    },
    /// A reply names a variable replies are not given.
    #[error(
        "reply {reply} ({locale}) names {variable:?}, which replies are not given (they are given: {})",
        REPLY_VARIABLES.join(", ")
    )]
    ReplyUnknownVariable {
        /// The reply.
        reply: ReplyName,
        /// The locale.
        locale: Locale,
        /// The variable.
        variable: String,
    },
    /// A reply has no text in the set's default locale, or has one in a
    /// locale the set does not have.
    #[error("reply {reply} needs a text in {locale}, the set's default, and only in its locales")]
    ReplyLocale {
        /// The reply.
        reply: ReplyName,
        /// The default locale it lacks, or the locale the set lacks.
        locale: Locale,
    },
    /// A reply failed to render: a variable it names was not given, or
    /// it ran out of fuel.
    #[error("reply {reply} ({locale}) failed to render: {message}")]
    ReplyRender {
        /// The reply.
        reply: ReplyName,
        /// The locale.
        locale: Locale,
        /// What the engine said.
        message: String,
    },
    /// No reply of that name in the set.
    #[error("no reply named {0} in the template set")]
    UnknownReply(ReplyName),
    /// The default locale is not one of the set's locales.
    #[error("default locale {0} has no texts in the set")]
    UnknownDefault(Locale),
    /// Rendering failed: a variable was not given, a filter refused a
    /// value, or the template ran out of fuel.
    #[error("template {template} ({locale}) failed to render: {message}")]
    Render {
        /// The locale.
        locale: Locale,
        /// The template.
        template: TemplateName,
        /// What the engine said.
        message: String,
    },
}

impl std::fmt::Display for TemplateName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The texts the desk writes, per locale and name: the built-in English
/// and Spanish, with a custom set's texts over them.
///
/// Cheap to clone (the parsed templates are shared). Serialised as its
/// default locale, its custom texts and its replies only (each left out
/// while default or empty); reading one validates it as
/// [`TemplateSet::new`] does.
#[derive(Clone, Serialize, Deserialize)]
#[serde(try_from = "SetRecord", into = "SetRecord")]
pub struct TemplateSet {
    default: Locale,
    custom: BTreeMap<Locale, BTreeMap<TemplateName, String>>,
    replies: BTreeMap<ReplyName, BTreeMap<Locale, String>>,
    env: Arc<Environment<'static>>,
}

/// What a [`TemplateSet`] is written as.
#[derive(Serialize, Deserialize)]
struct SetRecord {
    #[serde(
        default = "Locale::english",
        skip_serializing_if = "Locale::is_english"
    )]
    default_locale: Locale,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    texts: BTreeMap<Locale, BTreeMap<TemplateName, String>>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    replies: BTreeMap<ReplyName, BTreeMap<Locale, String>>,
}

impl TryFrom<SetRecord> for TemplateSet {
    type Error = TemplateError;
    fn try_from(r: SetRecord) -> Result<Self, TemplateError> {
        TemplateSet::build(r.default_locale, r.texts, r.replies)
    }
}

impl From<TemplateSet> for SetRecord {
    fn from(s: TemplateSet) -> Self {
        SetRecord {
            default_locale: s.default,
            texts: s.custom,
            replies: s.replies,
        }
    }
}

impl PartialEq for TemplateSet {
    /// Equal when the default locale and the custom texts are.
    fn eq(&self, other: &Self) -> bool {
        self.default == other.default
            && self.custom == other.custom
            && self.replies == other.replies
    }
}

impl Eq for TemplateSet {}

impl std::fmt::Debug for TemplateSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TemplateSet")
            .field("default", &self.default)
            .field("custom", &self.custom)
            .field("replies", &self.replies)
            .finish_non_exhaustive()
    }
}

impl Default for TemplateSet {
    /// The built-in texts, English by default.
    fn default() -> Self {
        builtin_set().clone()
    }
}

/// The built-in set, parsed once.
fn builtin_set() -> &'static TemplateSet {
    static BUILTIN: OnceLock<TemplateSet> = OnceLock::new();
    BUILTIN.get_or_init(|| {
        // The built-in texts are checked by this module's tests; were one
        // ever broken, the set would still be made of what parses.
        TemplateSet::build(Locale::english(), BTreeMap::new(), BTreeMap::new()).unwrap_or_else(
            |_| TemplateSet {
                default: Locale::english(),
                custom: BTreeMap::new(),
                replies: BTreeMap::new(),
                env: Arc::new(environment()),
            },
        )
    })
}

/// An engine set up for plain text: strict about undefined variables, no
/// escaping, bounded by [`FUEL`], and no loader (nothing is read).
fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_fuel(Some(FUEL));
    env
}

/// The engine's name for a template.
fn key(locale: &Locale, name: TemplateName) -> String {
    format!("{locale}/{name}")
}

/// The engine's name for a reply (`:` is in no template name).
fn reply_key(locale: &Locale, name: &ReplyName) -> String {
    format!("{locale}:{name}")
}

/// The variables `t` names that are neither `given` nor the engine's
/// globals, in order.
fn unknown_variables(
    t: &minijinja::Template<'_, '_>,
    given: &[&str],
    globals: &BTreeSet<String>,
) -> Option<String> {
    let mut named: Vec<String> = t.undeclared_variables(false).into_iter().collect();
    named.sort();
    named
        .into_iter()
        .find(|v| !given.contains(&v.as_str()) && !globals.contains(v))
}

/// The variables as the engine's context: each value a string, data only.
fn context(vars: &[(&str, &str)]) -> Value {
    let map: BTreeMap<String, Value> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Value::from(*v)))
        .collect();
    Value::from_object(map)
}

impl TemplateSet {
    /// The built-in locales: English and Spanish.
    #[must_use]
    pub fn builtin_locales() -> [Locale; 2] {
        [Locale::english(), Locale::spanish()]
    }

    /// A set of the built-in texts with `texts` over them, `default` the
    /// locale for colleagues and for contacts without one.
    ///
    /// A text for `en` or `es` replaces the built-in one; a text for any
    /// other locale adds that locale, which must then have a text for
    /// every [`TemplateName`].
    ///
    /// # Errors
    /// [`TemplateError::Syntax`], [`TemplateError::UnknownVariable`] or
    /// [`TemplateError::MissingText`] naming the template and locale;
    /// [`TemplateError::UnknownDefault`] when `default` has no texts.
    pub fn new(
        default: Locale,
        texts: impl IntoIterator<Item = (Locale, TemplateName, String)>,
    ) -> Result<Self, TemplateError> {
        let mut custom: BTreeMap<Locale, BTreeMap<TemplateName, String>> = BTreeMap::new();
        for (locale, name, source) in texts {
            custom.entry(locale).or_default().insert(name, source);
        }
        Self::build(default, custom, BTreeMap::new())
    }

    fn build(
        default: Locale,
        custom: BTreeMap<Locale, BTreeMap<TemplateName, String>>,
        replies: BTreeMap<ReplyName, BTreeMap<Locale, String>>,
    ) -> Result<Self, TemplateError> {
        let mut env = environment();
        let mut locales: BTreeSet<Locale> = Self::builtin_locales().into_iter().collect();
        locales.extend(custom.keys().cloned());
        if !locales.contains(&default) {
            return Err(TemplateError::UnknownDefault(default));
        }
        let globals: BTreeSet<String> = env.globals().map(|(k, _)| k.to_owned()).collect();
        for locale in &locales {
            for &name in TemplateName::ALL {
                let source: String = match custom.get(locale).and_then(|t| t.get(&name)) {
                    Some(s) => s.clone(),
                    None => name
                        .builtin(locale.as_str())
                        .ok_or_else(|| TemplateError::MissingText {
                            locale: locale.clone(),
                            template: name,
                        })?
                        .to_owned(),
                };
                let k = key(locale, name);
                env.add_template_owned(k.clone(), source)
                    .map_err(|e| TemplateError::Syntax {
                        locale: locale.clone(),
                        template: name,
                        message: e.to_string(),
                    })?;
                let t = env.get_template(&k).map_err(|e| TemplateError::Syntax {
                    locale: locale.clone(),
                    template: name,
                    message: e.to_string(),
                })?;
                if let Some(variable) = unknown_variables(&t, name.variables(), &globals) {
                    return Err(TemplateError::UnknownVariable {
                        locale: locale.clone(),
                        template: name,
                        variable,
                    });
                }
            }
        }
        for (reply, texts) in &replies {
            if !texts.contains_key(&default) {
                return Err(TemplateError::ReplyLocale {
                    reply: reply.clone(),
                    locale: default,
                });
            }
            for (locale, source) in texts {
                if !locales.contains(locale) {
                    return Err(TemplateError::ReplyLocale {
                        reply: reply.clone(),
                        locale: locale.clone(),
                    });
                }
                let syntax = |e: minijinja::Error| TemplateError::ReplySyntax {
                    reply: reply.clone(),
                    locale: locale.clone(),
                    message: e.to_string(),
                };
                let k = reply_key(locale, reply);
                env.add_template_owned(k.clone(), source.clone())
                    .map_err(syntax)?;
                let t = env.get_template(&k).map_err(syntax)?;
                if let Some(variable) = unknown_variables(&t, REPLY_VARIABLES, &globals) {
                    return Err(TemplateError::ReplyUnknownVariable {
                        reply: reply.clone(),
                        locale: locale.clone(),
                        variable,
                    });
                }
            }
        }
        Ok(TemplateSet {
            default,
            custom,
            replies,
            env: Arc::new(env),
        })
    }

    /// The same set with the reply `name` (replacing one of that name),
    /// written in `texts`' locales: the set's default locale among them,
    /// others only among the set's locales. Every reply is given
    /// [`REPLY_VARIABLES`].
    ///
    /// ```
    /// use fanatical::template::{Locale, ReplyName, TemplateSet};
    ///
    /// let apology = ReplyName::new("outage-apology")?;
    /// let set = TemplateSet::default().with_reply(apology.clone(), [
    ///     (Locale::english(), "Sorry, {{ requester }}: ticket {{ ticket }} is our top priority.".to_owned()),
    ///     (Locale::spanish(), "Lo sentimos, {{ requester }}: el ticket {{ ticket }} es nuestra prioridad.".to_owned()),
    /// ])?;
    /// let vars = [("requester", "Jane"), ("ticket", "T-1")];
    /// assert_eq!(
    ///     set.render_reply(&apology, Some(&Locale::new("es-ES")?), &vars)?,
    ///     "Lo sentimos, Jane: el ticket T-1 es nuestra prioridad."
    /// );
    /// // A reply may only name the reply variables.
    /// assert!(TemplateSet::default()
    ///     .with_reply(apology, [(Locale::english(), "{{ password }}".to_owned())])
    ///     .is_err());
    /// # Ok::<(), fanatical::template::TemplateError>(())
    /// ```
    ///
    /// # Errors
    /// [`TemplateError::ReplySyntax`], [`TemplateError::ReplyUnknownVariable`]
    /// or [`TemplateError::ReplyLocale`] naming the reply and locale.
    pub fn with_reply(
        self,
        name: ReplyName,
        texts: impl IntoIterator<Item = (Locale, String)>,
    ) -> Result<Self, TemplateError> {
        let mut replies = self.replies;
        replies.insert(name, texts.into_iter().collect());
        Self::build(self.default, self.custom, replies)
    }

    /// The names of the set's own replies, in order.
    pub fn replies(&self) -> impl Iterator<Item = &ReplyName> {
        self.replies.keys()
    }

    /// Renders the reply `name` for a reader of `locale`: in that locale
    /// if the reply is written in it, else its language, else the set's
    /// default locale (which every reply has). `vars` are names from
    /// [`REPLY_VARIABLES`] and their values; values are printed as they
    /// are, never evaluated.
    ///
    /// # Errors
    /// [`TemplateError::UnknownReply`]; [`TemplateError::ReplyRender`]
    /// when a variable the reply names is missing from `vars` or the
    /// reply runs out of fuel.
    pub fn render_reply(
        &self,
        name: &ReplyName,
        locale: Option<&Locale>,
        vars: &[(&str, &str)],
    ) -> Result<String, TemplateError> {
        let texts = self
            .replies
            .get(name)
            .ok_or_else(|| TemplateError::UnknownReply(name.clone()))?;
        let locale = match locale {
            Some(l) if texts.contains_key(l) => l.clone(),
            Some(l) => Locale::new(l.language())
                .ok()
                .filter(|l| texts.contains_key(l))
                .unwrap_or_else(|| self.default.clone()),
            None => self.default.clone(),
        };
        let fail = |e: minijinja::Error| TemplateError::ReplyRender {
            reply: name.clone(),
            locale: locale.clone(),
            message: e.to_string(),
        };
        self.env
            .get_template(&reply_key(&locale, name))
            .map_err(fail)?
            .render(context(vars))
            .map_err(fail)
    }

    /// The same texts with another default locale.
    ///
    /// # Errors
    /// [`TemplateError::UnknownDefault`] when the set has no texts in it;
    /// [`TemplateError::ReplyLocale`] when a reply has no text in it.
    pub fn with_default_locale(self, default: Locale) -> Result<Self, TemplateError> {
        Self::build(default, self.custom, self.replies)
    }

    /// The locale for colleagues, and for contacts without one.
    #[must_use]
    pub fn default_locale(&self) -> &Locale {
        &self.default
    }

    /// Whether this is the built-in set with English as its default (no
    /// custom texts, no replies).
    #[must_use]
    pub fn is_default(&self) -> bool {
        self.default.is_english() && self.custom.is_empty() && self.replies.is_empty()
    }

    /// Whether the set has texts in `locale`.
    #[must_use]
    pub fn has_locale(&self, locale: &Locale) -> bool {
        Self::builtin_locales().contains(locale) || self.custom.contains_key(locale)
    }

    /// Every locale the set has texts in, in order.
    #[must_use]
    pub fn locales(&self) -> BTreeSet<Locale> {
        let mut all: BTreeSet<Locale> = Self::builtin_locales().into_iter().collect();
        all.extend(self.custom.keys().cloned());
        all
    }

    /// The source of `name` in `locale`, if the set has that locale.
    #[must_use]
    pub fn source(&self, locale: &Locale, name: TemplateName) -> Option<&str> {
        self.custom
            .get(locale)
            .and_then(|t| t.get(&name))
            .map(String::as_str)
            .or_else(|| name.builtin(locale.as_str()))
    }

    /// The locale a text for someone who reads `wanted` is written in:
    /// `wanted` if the set has it, else its language alone (`es-MX` →
    /// `es`) if the set has that, else the set's default locale.
    #[must_use]
    pub fn resolve(&self, wanted: Option<&Locale>) -> Locale {
        match wanted {
            Some(w) if self.has_locale(w) => w.clone(),
            Some(w) => Locale::new(w.language())
                .ok()
                .filter(|l| self.has_locale(l))
                .unwrap_or_else(|| self.default.clone()),
            None => self.default.clone(),
        }
    }

    /// Renders `name` for a reader of `locale` (resolved as
    /// [`TemplateSet::resolve`] says) with `vars`, each a variable's name
    /// and value. Values are printed as they are, never evaluated.
    ///
    /// # Errors
    /// [`TemplateError::Render`] when a variable the template names is
    /// missing from `vars`, a filter refuses a value, or the template
    /// runs out of fuel.
    pub fn render(
        &self,
        name: TemplateName,
        locale: Option<&Locale>,
        vars: &[(&str, &str)],
    ) -> Result<String, TemplateError> {
        let locale = &self.resolve(locale);
        let fail = |e: minijinja::Error| TemplateError::Render {
            locale: locale.clone(),
            template: name,
            message: e.to_string(),
        };
        self.env
            .get_template(&key(locale, name))
            .map_err(fail)?
            .render(context(vars))
            .map_err(fail)
    }

    /// [`TemplateSet::render`] that never fails: should a custom text fail
    /// to render, the built-in text of the same locale (or English) is
    /// used, and as a last resort the English source as it is. What the
    /// desk writes with.
    #[must_use]
    pub fn text(
        &self,
        name: TemplateName,
        locale: Option<&Locale>,
        vars: &[(&str, &str)],
    ) -> String {
        if let Ok(s) = self.render(name, locale, vars) {
            return s;
        }
        let builtin = builtin_set();
        let resolved = builtin.resolve(Some(&self.resolve(locale)));
        builtin
            .render(name, Some(&resolved), vars)
            .or_else(|_| builtin.render(name, None, vars))
            .unwrap_or_else(|_| name.builtin("en").unwrap_or_default().to_owned())
    }
}

#[cfg(test)]
mod tests;
