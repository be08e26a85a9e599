//! The texts the desk writes, from the configured template set: for a
//! contact in their locale, for colleagues in the set's default locale.

#![allow(clippy::wildcard_imports)]

use super::*;
use crate::template::{Locale, TemplateName};

impl Desk {
    /// `name` for colleagues: in the template set's default locale.
    pub(super) fn text(&self, name: TemplateName, vars: &[(&str, &str)]) -> String {
        self.config.templates.text(name, None, vars)
    }

    /// `name` for `contact` of `customer`: in their locale if they have
    /// one the set holds (or its language), else the default locale.
    pub(super) fn text_for(
        &self,
        customer: CustomerId,
        contact: ContactId,
        name: TemplateName,
        vars: &[(&str, &str)],
    ) -> String {
        self.config
            .templates
            .text(name, self.contact_locale(customer, contact), vars)
    }

    /// The locale `contact` of `customer` chose, if any.
    pub(super) fn contact_locale(
        &self,
        customer: CustomerId,
        contact: ContactId,
    ) -> Option<&Locale> {
        self.customer(customer)
            .and_then(|c| c.contact(contact))
            .and_then(crate::customer::Contact::locale)
    }

    /// The desk's own reply `name` ([`crate::template::TemplateSet::with_reply`])
    /// for `contact` of `customer`, in their locale (falling back to its
    /// language, then the set's default), with `vars` from
    /// [`crate::template::REPLY_VARIABLES`]: what a macro or trigger that
    /// replies with a template sends, and what its preview shows.
    ///
    /// # Errors
    /// [`crate::template::TemplateError::UnknownReply`] or
    /// [`crate::template::TemplateError::ReplyRender`], as
    /// [`Error::Template`].
    pub fn reply_text(
        &self,
        customer: CustomerId,
        contact: ContactId,
        name: &crate::template::ReplyName,
        vars: &[(&str, &str)],
    ) -> Result<String, Error> {
        Ok(self.config.templates.render_reply(
            name,
            self.contact_locale(customer, contact),
            vars,
        )?)
    }

    /// An incident status as notices in `locale` show it.
    pub(super) fn status_text(
        &self,
        status: Option<crate::incident::IncidentStatus>,
        locale: Option<&Locale>,
    ) -> String {
        use crate::incident::IncidentStatus as S;
        let name = match status {
            None => return String::new(),
            Some(S::Investigating) => TemplateName::IncidentInvestigating,
            Some(S::Identified) => TemplateName::IncidentIdentified,
            Some(S::Monitoring) => TemplateName::IncidentMonitoring,
            Some(S::Resolved) => TemplateName::IncidentResolved,
        };
        self.config.templates.text(name, locale, &[])
    }
}

impl CustomerAction {
    /// Set the language `contact` of `customer` is written to in
    /// ([`CustomerCommand::SetContactLocale`]): the one line a program
    /// needs.
    ///
    /// ```
    /// use fanatical::prelude::*;
    /// use fanatical::template::Locale;
    ///
    /// let mut ids = IdGenerator::from_seed(3);
    /// let (acme, jane): (CustomerId, ContactId) = (ids.next_id(), ids.next_id());
    /// let cmd = Command::new(Actor::integration("crm"), CustomerAction::set_locale(acme, jane, Locale::spanish()));
    /// # let _ = cmd;
    /// ```
    #[must_use]
    pub fn set_locale(customer: CustomerId, contact: ContactId, locale: Locale) -> Self {
        CustomerAction::Update {
            customer,
            command: CustomerCommand::SetContactLocale {
                contact,
                locale: Some(locale),
            },
        }
    }
}
