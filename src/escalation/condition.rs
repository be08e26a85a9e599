//! Rule conditions over a ticket's facts.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::channel::ChannelKind;
use crate::field::{FieldCondition, FieldKey, FieldValues};
use crate::sla::{Metric, TicketSla};
use crate::ticket::{Author, EntryVisibility, Priority, Ticket};

/// How the customer feels, as the caller judges it (a sentiment model, an
/// agent's note, a survey).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sentiment {
    /// Happy.
    Delighted,
    /// Nothing notable.
    Neutral,
    /// Frustrated.
    Frustrated,
    /// Angry: among the most frustrated customers.
    Angry,
}

/// How far an SLA metric has gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaLevel {
    /// A warning fired.
    Warned,
    /// The target was breached.
    Breached,
}

/// An SLA metric at a level, on a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SlaSignal {
    /// The metric.
    pub metric: Metric,
    /// How far it has gone.
    pub level: SlaLevel,
}

/// What kind of thing a category names: a rule on `checkout-error` matches
/// a ticket or a trend in that category whatever its kind, and a rule may
/// also ask for a kind ([`Condition::of_kinds`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CategoryKind {
    /// A topic the caller names (the default for [`Facts::in_category`]).
    Topic,
    /// A ticket tag.
    Tag,
    /// A ticket type (question, incident, problem, task).
    TicketType,
    /// A component customers run on.
    Component,
    /// A channel.
    Channel,
    /// A custom field's value (`field:value`, as [`crate::trend::TrendKey`]
    /// names it).
    Field,
}

/// What an escalation rule can look at on a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Facts {
    /// Category or pain point ("billing", "dns", "checkout"): the value
    /// rules name.
    pub category: Option<String>,
    /// What kind of thing the category names (a topic unless set with
    /// [`Facts::in_category_of`]).
    pub category_kind: Option<CategoryKind>,
    /// Priority.
    pub priority: Priority,
    /// Channel.
    pub channel: Option<ChannelKind>,
    /// SLA warnings and breaches on the ticket.
    pub sla: BTreeSet<SlaSignal>,
    /// The customer's sentiment.
    pub sentiment: Sentiment,
    /// Part of a detected trend.
    pub trend: bool,
    /// A person may be in crisis.
    pub crisis: bool,
    /// How many contacts about the same problem.
    pub contacts: u32,
    /// When the ticket was last updated.
    pub last_update: DateTime<Utc>,
    /// The ticket's custom-field values (the desk fills them in from the
    /// ticket when they are left empty).
    #[serde(default, skip_serializing_if = "FieldValues::is_empty")]
    pub fields: FieldValues,
}

impl Facts {
    /// A neutral, uncategorised ticket with one contact.
    #[must_use]
    pub fn new(priority: Priority, last_update: DateTime<Utc>) -> Self {
        Facts {
            category: None,
            category_kind: None,
            priority,
            channel: None,
            sla: BTreeSet::new(),
            sentiment: Sentiment::Neutral,
            trend: false,
            crisis: false,
            contacts: 1,
            last_update,
            fields: FieldValues::new(),
        }
    }
    /// With custom-field values.
    #[must_use]
    pub fn with_fields(mut self, fields: FieldValues) -> Self {
        self.fields = fields;
        self
    }
    /// With a category: a topic.
    #[must_use]
    pub fn in_category(self, category: &str) -> Self {
        self.in_category_of(CategoryKind::Topic, category)
    }
    /// With a category of a kind: a tag, a ticket type, a component, a
    /// channel (how a trend is routed).
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use fanatical::escalation::{CategoryKind, Condition, Facts};
    /// use fanatical::ticket::Priority;
    /// let now = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    /// let trend = Facts::new(Priority::Normal, now).in_category_of(CategoryKind::Tag, "checkout-error");
    /// // A rule on the value matches whatever the kind...
    /// assert!(Condition::any().in_categories(["checkout-error"]).matches(&trend, now));
    /// // ...and one may ask for the kind too.
    /// let tags_only = Condition::any().in_categories(["checkout-error"]).of_kinds([CategoryKind::Tag]);
    /// assert!(tags_only.matches(&trend, now));
    /// assert!(!tags_only.matches(&Facts::new(Priority::Normal, now).in_category("checkout-error"), now));
    /// ```
    #[must_use]
    pub fn in_category_of(mut self, kind: CategoryKind, category: &str) -> Self {
        self.category = Some(category.to_owned());
        self.category_kind = Some(kind);
        self
    }
    /// With a channel.
    #[must_use]
    pub fn on(mut self, channel: ChannelKind) -> Self {
        self.channel = Some(channel);
        self
    }
    /// With an SLA signal.
    #[must_use]
    pub fn with_sla(mut self, metric: Metric, level: SlaLevel) -> Self {
        self.sla.insert(SlaSignal { metric, level });
        self
    }
    /// With a sentiment.
    #[must_use]
    pub fn feeling(mut self, sentiment: Sentiment) -> Self {
        self.sentiment = sentiment;
        self
    }
    /// Part of a trend.
    #[must_use]
    pub fn trending(mut self) -> Self {
        self.trend = true;
        self
    }
    /// A person may be in crisis.
    #[must_use]
    pub fn in_crisis(mut self) -> Self {
        self.crisis = true;
        self
    }
    /// With a number of contacts about the same problem.
    #[must_use]
    pub fn contacts(mut self, n: u32) -> Self {
        self.contacts = n;
        self
    }

    /// The facts of a ticket, as escalation rules read them: the one
    /// place they are derived (the desk's triggers escalate with them,
    /// and `TicketsView::facts` gives them to callers).
    ///
    /// - **category:** the value of the `category` field when `from` names
    ///   one and the ticket has it (kind [`CategoryKind::Field`]), else
    ///   its first tag in order (kind [`CategoryKind::Tag`]), else none;
    /// - **priority, channel, last update, field values:** the ticket's;
    /// - **SLA:** every live metric that warned ([`SlaLevel::Warned`]) or
    ///   breached ([`SlaLevel::Breached`]), from its SLA when given;
    /// - **contacts:** how many public messages the customer wrote on it
    ///   (at least 1);
    /// - **sentiment:** the caller's classifier's, neutral without one;
    /// - **trend, crisis:** as `from` says (the desk knows them).
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use fanatical::escalation::{CategoryKind, Facts, FactsFrom, Sentiment};
    /// use fanatical::channel::Channel;
    /// use fanatical::id::IdGenerator;
    /// use fanatical::ticket::{Author, OpenTicket, Tag, Ticket, TicketRules};
    ///
    /// let mut ids = IdGenerator::from_seed(1);
    /// let now = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    /// let (ticket, customer, jane) = (ids.next_id(), ids.next_id(), ids.next_id());
    /// let open = OpenTicket::new(ticket, customer, "Card declined", Channel::Email)
    ///     .with_message(Author::Contact(jane), "My card was declined twice")
    ///     .with_tag(Tag::new("billing")?);
    /// let t = Ticket::from_events(&Ticket::open(open, &TicketRules::default(), now)?).unwrap();
    /// let facts = Facts::of_ticket(&t, None, &FactsFrom::new().feeling(Sentiment::Frustrated));
    /// assert_eq!(facts.category.as_deref(), Some("billing"));
    /// assert_eq!(facts.category_kind, Some(CategoryKind::Tag));
    /// assert_eq!((facts.contacts, facts.sentiment), (1, Sentiment::Frustrated));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn of_ticket(ticket: &Ticket, sla: Option<&TicketSla>, from: &FactsFrom) -> Self {
        let mut facts = Facts::new(ticket.priority(), ticket.updated_at())
            .on(ticket.channel().kind())
            .with_fields(ticket.fields().clone());
        let field = from
            .category_field
            .as_ref()
            .and_then(|k| ticket.fields().get(k))
            .and_then(|v| v.terms().next())
            .map(|t| t.to_string());
        if let Some(value) = field {
            facts = facts.in_category_of(CategoryKind::Field, &value);
        } else if let Some(tag) = ticket.tags().iter().next() {
            facts = facts.in_category_of(CategoryKind::Tag, tag.as_str());
        }
        for m in sla.map(TicketSla::metrics).unwrap_or_default() {
            if !m.is_live() && m.breached.is_none() {
                continue;
            }
            if m.breached.is_some() {
                facts = facts.with_sla(m.key.metric, SlaLevel::Breached);
            } else if !m.warned.is_empty() {
                facts = facts.with_sla(m.key.metric, SlaLevel::Warned);
            }
        }
        let written = ticket
            .conversation()
            .iter()
            .filter(|e| {
                matches!(e.author, Author::Contact(_)) && e.visibility == EntryVisibility::Public
            })
            .count();
        facts.contacts = u32::try_from(written).unwrap_or(u32::MAX).max(1);
        facts.sentiment = from.sentiment.unwrap_or(Sentiment::Neutral);
        facts.trend = from.trend;
        facts.crisis = from.crisis;
        facts
    }
}

/// What [`Facts::of_ticket`] takes from outside the ticket.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FactsFrom {
    /// The custom field whose value is a ticket's category (else its
    /// first tag is).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_field: Option<FieldKey>,
    /// The customer's sentiment, from the caller's classifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sentiment: Option<Sentiment>,
    /// Part of a detected trend.
    #[serde(default)]
    pub trend: bool,
    /// A person may be in crisis.
    #[serde(default)]
    pub crisis: bool,
}

impl FactsFrom {
    /// Nothing from outside: no category field, neutral, no trend, no
    /// crisis.
    #[must_use]
    pub fn new() -> Self {
        FactsFrom::default()
    }

    /// With the field whose value is the category.
    #[must_use]
    pub fn category_field(mut self, key: FieldKey) -> Self {
        self.category_field = Some(key);
        self
    }

    /// With the classifier's sentiment.
    #[must_use]
    pub fn feeling(mut self, sentiment: Sentiment) -> Self {
        self.sentiment = Some(sentiment);
        self
    }

    /// Part of a trend.
    #[must_use]
    pub fn trending(mut self) -> Self {
        self.trend = true;
        self
    }

    /// A crisis.
    #[must_use]
    pub fn in_crisis(mut self) -> Self {
        self.crisis = true;
        self
    }
}

/// A conjunction of constraints on [`Facts`]; an unset constraint allows
/// anything, so `Condition::any()` always holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Condition {
    /// Categories (any of).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub categories: BTreeSet<String>,
    /// Kinds of category (any of; a category set without a kind is a
    /// topic).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub category_kinds: BTreeSet<CategoryKind>,
    /// Priority at least this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_priority: Option<Priority>,
    /// Channels (any of).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub channels: BTreeSet<ChannelKind>,
    /// An SLA signal at least this level (on this metric, or any).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla: Option<(Option<Metric>, SlaLevel)>,
    /// Sentiments (any of).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub sentiments: BTreeSet<Sentiment>,
    /// Must be part of a trend.
    #[serde(default)]
    pub trend: bool,
    /// Must be a crisis.
    #[serde(default)]
    pub crisis: bool,
    /// At least this many contacts about the problem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_contacts: Option<u32>,
    /// Not updated for at least this many minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stale_minutes: Option<u32>,
    /// Conditions on the ticket's custom fields (all of).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub fields: BTreeSet<FieldCondition>,
}

impl Condition {
    /// Always holds.
    #[must_use]
    pub fn any() -> Self {
        Self::default()
    }
    /// In one of these categories.
    #[must_use]
    pub fn in_categories<S: Into<String>>(mut self, c: impl IntoIterator<Item = S>) -> Self {
        self.categories = c.into_iter().map(Into::into).collect();
        self
    }
    /// With a category of one of these kinds.
    #[must_use]
    pub fn of_kinds(mut self, kinds: impl IntoIterator<Item = CategoryKind>) -> Self {
        self.category_kinds = kinds.into_iter().collect();
        self
    }
    /// Priority at least `p`.
    #[must_use]
    pub fn at_least(mut self, p: Priority) -> Self {
        self.min_priority = Some(p);
        self
    }
    /// On one of these channels.
    #[must_use]
    pub fn on_channels(mut self, c: impl IntoIterator<Item = ChannelKind>) -> Self {
        self.channels = c.into_iter().collect();
        self
    }
    /// An SLA signal at least `level`, on `metric` (or any metric).
    #[must_use]
    pub fn sla(mut self, metric: Option<Metric>, level: SlaLevel) -> Self {
        self.sla = Some((metric, level));
        self
    }
    /// With one of these sentiments.
    #[must_use]
    pub fn feeling(mut self, s: impl IntoIterator<Item = Sentiment>) -> Self {
        self.sentiments = s.into_iter().collect();
        self
    }
    /// Part of a trend.
    #[must_use]
    pub fn trend(mut self) -> Self {
        self.trend = true;
        self
    }
    /// A crisis.
    #[must_use]
    pub fn crisis(mut self) -> Self {
        self.crisis = true;
        self
    }
    /// At least `n` contacts about the problem.
    #[must_use]
    pub fn contacts_at_least(mut self, n: u32) -> Self {
        self.min_contacts = Some(n);
        self
    }
    /// With custom fields meeting these conditions.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use fanatical::escalation::{Condition, Facts};
    /// use fanatical::field::{FieldCondition, FieldKey, FieldTerm, FieldValue, FieldValues};
    /// use fanatical::ticket::Priority;
    /// let now = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    /// let plan = FieldKey::new("plan")?;
    /// let rule = Condition::any().with_fields([FieldCondition::any_of(plan.clone(), [FieldTerm::option("enterprise")])]);
    /// let values: FieldValues = [(plan, FieldValue::choice("enterprise"))].into_iter().collect();
    /// assert!(rule.matches(&Facts::new(Priority::Normal, now).with_fields(values), now));
    /// assert!(!rule.matches(&Facts::new(Priority::Normal, now), now));
    /// # Ok::<(), fanatical::field::FieldError>(())
    /// ```
    #[must_use]
    pub fn with_fields(mut self, conditions: impl IntoIterator<Item = FieldCondition>) -> Self {
        self.fields = conditions.into_iter().collect();
        self
    }
    /// Not updated for at least `d` (whole minutes).
    #[must_use]
    pub fn stale_for(mut self, d: Duration) -> Self {
        self.stale_minutes = Some(u32::try_from(d.num_minutes().max(0)).unwrap_or(u32::MAX));
        self
    }

    /// Whether the facts satisfy every constraint at `now`.
    #[must_use]
    pub fn matches(&self, f: &Facts, now: DateTime<Utc>) -> bool {
        (self.categories.is_empty()
            || f.category
                .as_ref()
                .is_some_and(|c| self.categories.contains(c)))
            && (self.category_kinds.is_empty()
                || (f.category.is_some()
                    && self
                        .category_kinds
                        .contains(&f.category_kind.unwrap_or(CategoryKind::Topic))))
            && self.min_priority.is_none_or(|p| f.priority >= p)
            && (self.channels.is_empty() || f.channel.is_some_and(|c| self.channels.contains(&c)))
            && self.sla.is_none_or(|(metric, level)| {
                f.sla
                    .iter()
                    .any(|s| metric.is_none_or(|m| m == s.metric) && s.level >= level)
            })
            && (self.sentiments.is_empty() || self.sentiments.contains(&f.sentiment))
            && (!self.trend || f.trend)
            && (!self.crisis || f.crisis)
            && self.min_contacts.is_none_or(|n| f.contacts >= n)
            && self
                .stale_minutes
                .is_none_or(|m| now - f.last_update >= Duration::minutes(i64::from(m)))
            && self.fields.iter().all(|c| c.matches(&f.fields))
    }

    /// Whether every ticket `other` matches is also matched by `self` (so a
    /// rule with `other` after one with `self`, from the same node, never
    /// fires).
    #[must_use]
    pub fn covers(&self, other: &Condition) -> bool {
        set(&self.categories, &other.categories)
            && set(&self.category_kinds, &other.category_kinds)
            && at_least(self.min_priority, other.min_priority)
            && set(&self.channels, &other.channels)
            && match (self.sla, other.sla) {
                (None, _) => true,
                (Some((m1, l1)), Some((m2, l2))) => l2 >= l1 && (m1.is_none() || m1 == m2),
                (Some(_), None) => false,
            }
            && set(&self.sentiments, &other.sentiments)
            && (!self.trend || other.trend)
            && (!self.crisis || other.crisis)
            && at_least(self.min_contacts, other.min_contacts)
            && at_least(self.stale_minutes, other.stale_minutes)
            // Each field condition of ours is one of theirs, as written.
            && self.fields.is_subset(&other.fields)
    }

    /// A short description for explanations and DOT labels.
    #[must_use]
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if !self.categories.is_empty() {
            let c: Vec<&str> = self.categories.iter().map(String::as_str).collect();
            parts.push(format!("category {}", c.join("/")));
        }
        if !self.category_kinds.is_empty() {
            let k: Vec<String> = self
                .category_kinds
                .iter()
                .map(|k| format!("{k:?}").to_lowercase())
                .collect();
            parts.push(format!("a {}", k.join("/")));
        }
        if let Some(p) = self.min_priority {
            parts.push(format!("priority >= {p}"));
        }
        if !self.channels.is_empty() {
            let c: Vec<String> = self.channels.iter().map(ToString::to_string).collect();
            parts.push(format!("channel in {}", c.join("/")));
        }
        if let Some((m, l)) = self.sla {
            let level = match l {
                SlaLevel::Warned => "warned",
                SlaLevel::Breached => "breached",
            };
            parts.push(match m {
                Some(m) => format!("{m} {level}"),
                None => format!("any SLA {level}"),
            });
        }
        if !self.sentiments.is_empty() {
            let f: Vec<&str> = self
                .sentiments
                .iter()
                .map(|s| match s {
                    Sentiment::Delighted => "delighted",
                    Sentiment::Neutral => "neutral",
                    Sentiment::Frustrated => "frustrated",
                    Sentiment::Angry => "angry",
                })
                .collect();
            parts.push(format!("feeling {}", f.join("/")));
        }
        if self.trend {
            parts.push("trend".into());
        }
        if self.crisis {
            parts.push("crisis".into());
        }
        if let Some(n) = self.min_contacts {
            parts.push(format!("contacts >= {n}"));
        }
        if let Some(m) = self.stale_minutes {
            parts.push(format!("no update for {m} min"));
        }
        parts.extend(self.fields.iter().map(FieldCondition::describe));
        if parts.is_empty() {
            "always".into()
        } else {
            parts.join(" and ")
        }
    }
}

/// An any-of set constraint `mine` allows everything `theirs` allows.
fn set<T: Ord>(mine: &BTreeSet<T>, theirs: &BTreeSet<T>) -> bool {
    mine.is_empty() || (!theirs.is_empty() && theirs.is_subset(mine))
}

/// An at-least constraint `mine` allows everything `theirs` allows.
fn at_least<T: Ord>(mine: Option<T>, theirs: Option<T>) -> bool {
    match (mine, theirs) {
        (None, _) => true,
        (Some(m), Some(t)) => t >= m,
        (Some(_), None) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap()
    }

    #[test]
    fn field_conditions_cover_as_a_subset() {
        use crate::field::{FieldKey, FieldTerm};
        let plan = FieldKey::new("plan").unwrap();
        let enterprise = Condition::any().with_fields([crate::field::FieldCondition::any_of(
            plan,
            [FieldTerm::option("enterprise")],
        )]);
        // Fewer conditions match more tickets: `any` covers it, not back.
        assert!(Condition::any().covers(&enterprise));
        assert!(!enterprise.covers(&Condition::any()));
        assert!(enterprise.covers(&enterprise.clone().at_least(Priority::High)));
        assert_eq!(enterprise.describe(), "plan in enterprise");
    }

    #[test]
    fn matching_each_constraint() {
        let f = Facts::new(Priority::High, now() - Duration::hours(3))
            .in_category("billing")
            .on(ChannelKind::Email)
            .with_sla(Metric::FirstResponse, SlaLevel::Breached)
            .feeling(Sentiment::Frustrated)
            .contacts(3);
        assert!(Condition::any().matches(&f, now()));
        assert!(
            Condition::any()
                .in_categories(["billing"])
                .matches(&f, now())
        );
        assert!(!Condition::any().in_categories(["dns"]).matches(&f, now()));
        assert!(Condition::any().at_least(Priority::High).matches(&f, now()));
        assert!(
            !Condition::any()
                .at_least(Priority::Urgent)
                .matches(&f, now())
        );
        assert!(
            Condition::any()
                .sla(None, SlaLevel::Warned)
                .matches(&f, now()),
            "breached implies warned"
        );
        assert!(
            Condition::any()
                .sla(Some(Metric::FirstResponse), SlaLevel::Breached)
                .matches(&f, now())
        );
        assert!(
            !Condition::any()
                .sla(Some(Metric::Resolution), SlaLevel::Warned)
                .matches(&f, now())
        );
        assert!(!Condition::any().trend().matches(&f, now()));
        assert!(!Condition::any().crisis().matches(&f, now()));
        assert!(Condition::any().contacts_at_least(3).matches(&f, now()));
        assert!(
            Condition::any()
                .stale_for(Duration::hours(3))
                .matches(&f, now())
        );
        assert!(
            !Condition::any()
                .stale_for(Duration::hours(4))
                .matches(&f, now())
        );
        assert!(
            Condition::any()
                .feeling([Sentiment::Frustrated, Sentiment::Angry])
                .matches(&f, now())
        );
    }

    #[test]
    fn covering() {
        let any = Condition::any();
        let urgent = Condition::any().at_least(Priority::Urgent);
        let high = Condition::any().at_least(Priority::High);
        assert!(any.covers(&urgent));
        assert!(high.covers(&urgent));
        assert!(!urgent.covers(&high));
        assert!(!urgent.covers(&any));
        let warned = Condition::any().sla(None, SlaLevel::Warned);
        let fr_breach = Condition::any().sla(Some(Metric::FirstResponse), SlaLevel::Breached);
        assert!(warned.covers(&fr_breach));
        assert!(!fr_breach.covers(&warned));
        let billing = Condition::any().in_categories(["billing", "invoices"]);
        assert!(billing.covers(&Condition::any().in_categories(["billing"])));
        assert!(!billing.covers(&any));
        assert_eq!(
            high.clone().crisis().describe(),
            "priority >= high and crisis"
        );
    }
}
