//! Queues served from PostgreSQL: [`PgQueues`], a
//! [`fanatical::queue::QueueReadModel`] over one table of queue rows, kept
//! current with the rows the desk says changed.

use fanatical::chrono::Datelike;
use fanatical::chrono::{DateTime, Utc};
use fanatical::field::{FieldCondition, FieldKey, FieldTerm, FieldTest, FieldValues};
use fanatical::queue::{
    AssigneeIs, Cursor, Filter, Position, QueuePage, QueueQuery, QueueReadModel, QueueRow,
    Restriction, RowChange, SlaState, SortBy, TagMatch,
};
use fanatical::store::StoreError;
use postgres::types::ToSql;
use postgres::{Client, NoTls};
use serde::Serialize;

use crate::sql::{backend, check_schema_name, quote_ident};
use crate::{DEFAULT_SCHEMA, parse_config};

/// The queue rows table and its indexes, created when missing.
const MIGRATE: &str = "
CREATE TABLE IF NOT EXISTS queue_rows (
    id          bytea    PRIMARY KEY,
    status      text     NOT NULL,
    priority    text     NOT NULL,
    ticket_type text     NOT NULL,
    channel     text     NOT NULL,
    assignee    bytea,
    team        bytea,
    customer    bytea    NOT NULL,
    requester   bytea,
    tags        text[]   NOT NULL,
    breached    boolean  NOT NULL,
    k_deadline  bytea    NOT NULL,
    k_priority  bytea    NOT NULL,
    k_created   bytea    NOT NULL,
    k_updated   bytea    NOT NULL,
    row_json    text     NOT NULL
);
ALTER TABLE queue_rows ADD COLUMN IF NOT EXISTS field_terms text[] NOT NULL DEFAULT '{}';
ALTER TABLE queue_rows ADD COLUMN IF NOT EXISTS field_ord jsonb NOT NULL DEFAULT '{}';
CREATE INDEX IF NOT EXISTS queue_rows_deadline ON queue_rows (k_deadline);
CREATE INDEX IF NOT EXISTS queue_rows_created ON queue_rows (k_created);
CREATE INDEX IF NOT EXISTS queue_rows_updated ON queue_rows (k_updated);
CREATE INDEX IF NOT EXISTS queue_rows_status ON queue_rows (status, k_deadline);
CREATE INDEX IF NOT EXISTS queue_rows_assignee ON queue_rows (assignee, k_deadline);
CREATE INDEX IF NOT EXISTS queue_rows_team ON queue_rows (team, k_deadline);
CREATE INDEX IF NOT EXISTS queue_rows_customer ON queue_rows (customer);
CREATE INDEX IF NOT EXISTS queue_rows_requester ON queue_rows (requester);
CREATE INDEX IF NOT EXISTS queue_rows_tags ON queue_rows USING gin (tags);
CREATE INDEX IF NOT EXISTS queue_rows_field_terms ON queue_rows USING gin (field_terms);
";

const UPSERT: &str = "
INSERT INTO queue_rows (id, status, priority, ticket_type, channel, assignee, team, customer,
    requester, tags, breached, k_deadline, k_priority, k_created, k_updated, row_json,
    field_terms, field_ord)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
    $18::text::jsonb)
ON CONFLICT (id) DO UPDATE SET
    status = EXCLUDED.status, priority = EXCLUDED.priority,
    ticket_type = EXCLUDED.ticket_type, channel = EXCLUDED.channel,
    assignee = EXCLUDED.assignee, team = EXCLUDED.team, customer = EXCLUDED.customer,
    requester = EXCLUDED.requester, tags = EXCLUDED.tags, breached = EXCLUDED.breached,
    k_deadline = EXCLUDED.k_deadline, k_priority = EXCLUDED.k_priority,
    k_created = EXCLUDED.k_created, k_updated = EXCLUDED.k_updated,
    row_json = EXCLUDED.row_json, field_terms = EXCLUDED.field_terms,
    field_ord = EXCLUDED.field_ord";

/// A queue read model in a PostgreSQL schema: one row per ticket in
/// `queue_rows`, with each filtered field in a column (ids as their UUID
/// bytes, enums as their serde names, tags as `text[]`, custom fields as
/// `field_terms text[]`: each field's key and each of its exact-match
/// terms, under a GIN index, and `field_ord jsonb`: each number, decimal
/// or date by key as its kind and a numeric, for ranges) and each sort's
/// key as the bytes of [`Position::to_bytes`], whose order is the queue
/// order; the row itself as JSON, which a page hands back.
///
/// Keep it current from the desk: fill it with `desk.queues().rows()`
/// once ([`PgQueues::replace_all`]; again after upgrading from a version
/// without the field columns, which it adds empty), then after each applied batch
/// [`QueueReadModel::apply_rows`] with `desk.queues().changes(&recorded)`.
/// It answers every queue exactly as the desk's in-memory model does
/// (the crate's tests run the library's queue conformance suite on it).
///
/// ```no_run
/// use fanatical::queue::{Filter, Queue, QueueQuery, QueueReadModel, Restriction, RowChange, Sort, SortBy};
/// use fanatical::prelude::*;
/// use fanatical_postgres::PgQueues;
/// # fn run(desk: &Desk, now: fanatical::chrono::DateTime<fanatical::chrono::Utc>) -> Result<(), Box<dyn std::error::Error>> {
/// let mut queues = PgQueues::connect("postgres://desk@localhost/support")?;
/// queues.replace_all(desk.queues().rows())?;
/// let open = Queue::new(Sort::ascending(SortBy::NextDeadline))
///     .with(Filter::Status([Status::New, Status::Open].into()));
/// let query = QueueQuery::new(&open, None, Restriction::All, None, 50)?;
/// let page = queues.page(&query, now)?;
/// # Ok(()) }
/// ```
pub struct PgQueues {
    client: Client,
    schema: String,
}

impl std::fmt::Debug for PgQueues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgQueues")
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

impl PgQueues {
    /// Connects to the database at `url` and uses the schema
    /// [`DEFAULT_SCHEMA`], creating it and the table when missing.
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the URL does not parse, the server
    /// cannot be reached, or the table cannot be created.
    pub fn connect(url: &str) -> Result<Self, StoreError> {
        Self::with_schema(url, DEFAULT_SCHEMA)
    }

    /// As [`PgQueues::connect`], in `schema` (the desk's store's, or one
    /// of its own).
    ///
    /// # Errors
    /// As [`PgQueues::connect`], and for a schema name PostgreSQL cannot
    /// hold.
    pub fn with_schema(url: &str, schema: &str) -> Result<Self, StoreError> {
        check_schema_name(schema)?;
        let config = postgres::Config::from(parse_config(url)?);
        let mut client = config.connect(NoTls).map_err(backend)?;
        let mut tx = client.transaction().map_err(backend)?;
        tx.batch_execute(&format!(
            "CREATE SCHEMA IF NOT EXISTS {0}; SET search_path TO {0};",
            quote_ident(schema)
        ))
        .map_err(backend)?;
        tx.batch_execute(MIGRATE).map_err(backend)?;
        tx.commit().map_err(backend)?;
        Ok(PgQueues {
            client,
            schema: schema.to_owned(),
        })
    }

    /// The schema its table is in.
    #[must_use]
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// Replaces every row with `rows` in one transaction (a first fill,
    /// or a refill after the desk was rebuilt).
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    pub fn replace_all(
        &mut self,
        rows: impl IntoIterator<Item = QueueRow>,
    ) -> Result<(), StoreError> {
        let mut tx = self.client.transaction().map_err(backend)?;
        tx.batch_execute("DELETE FROM queue_rows")
            .map_err(backend)?;
        let upsert = tx.prepare(UPSERT).map_err(backend)?;
        for row in rows {
            upsert_row(&mut tx, &upsert, &row)?;
        }
        tx.commit().map_err(backend)
    }
}

fn bytes(uuid_bytes: &[u8; 16]) -> Vec<u8> {
    uuid_bytes.to_vec()
}

/// An enum's serde name.
fn name<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(e) => e.to_string(),
    }
}

fn upsert_row(
    tx: &mut postgres::Transaction<'_>,
    stmt: &postgres::Statement,
    row: &QueueRow,
) -> Result<(), StoreError> {
    let json = serde_json::to_string(row).map_err(backend)?;
    let tags: Vec<String> = row.tags.iter().map(|t| t.as_str().to_owned()).collect();
    let key = |by| row.position(by).to_bytes();
    tx.execute(
        stmt,
        &[
            &bytes(row.id.as_uuid().as_bytes()),
            &name(&row.status),
            &name(&row.priority),
            &name(&row.ticket_type),
            &name(&row.channel),
            &row.assignee.map(|a| bytes(a.as_uuid().as_bytes())),
            &row.team.map(|t| bytes(t.as_uuid().as_bytes())),
            &bytes(row.customer.as_uuid().as_bytes()),
            &row.requester.map(|c| bytes(c.as_uuid().as_bytes())),
            &tags,
            &row.breached,
            &key(SortBy::NextDeadline),
            &key(SortBy::Priority),
            &key(SortBy::Created),
            &key(SortBy::Updated),
            &json,
            &field_terms(&row.fields),
            &field_ord(&row.fields).to_string(),
        ],
    )
    .map_err(backend)?;
    Ok(())
}

/// A field's entry in `field_terms` (the field has a value).
fn field_set(key: &FieldKey) -> String {
    key.as_str().to_owned()
}

/// A term's entry in `field_terms`: the key, `=`, the term as JSON (a key
/// is one word, so no entry of one field can be another's).
fn field_term(key: &FieldKey, term: &FieldTerm) -> String {
    let json = serde_json::to_string(term).unwrap_or_default();
    format!("{}={json}", key.as_str())
}

/// Every `field_terms` entry of some values.
fn field_terms(values: &FieldValues) -> Vec<String> {
    let keys = values.iter().map(|(k, _)| field_set(k));
    keys.chain(values.terms().map(|(k, t)| field_term(k, &t)))
        .collect()
}

/// An ordered term's kind and value as a PostgreSQL numeric literal; `None`
/// for a term without an order.
fn ordered(term: &FieldTerm) -> Option<(&'static str, String)> {
    match term {
        FieldTerm::Number(n) => Some(("number", n.to_string())),
        FieldTerm::Decimal(d) => Some(("decimal", format!("{}e-{}", d.units(), d.places()))),
        FieldTerm::Date(d) => Some(("date", d.num_days_from_ce().to_string())),
        _ => None,
    }
}

/// `field_ord`: each ordered value by key as `[kind, numeric]`.
fn field_ord(values: &FieldValues) -> serde_json::Value {
    let map = values
        .terms()
        .filter_map(|(k, t)| {
            let (kind, n) = ordered(&t)?;
            Some((k.as_str().to_owned(), serde_json::json!([kind, n])))
        })
        .collect();
    serde_json::Value::Object(map)
}

/// A WHERE clause and its parameters, built up.
#[derive(Default)]
struct Sql {
    conditions: Vec<String>,
    params: Vec<Box<dyn ToSql + Sync>>,
}

impl Sql {
    /// A parameter's placeholder.
    fn param(&mut self, p: impl ToSql + Sync + 'static) -> String {
        self.params.push(Box::new(p));
        format!("${}", self.params.len())
    }

    fn names<T: Serialize>(&mut self, column: &str, of: impl IntoIterator<Item = T>) {
        let names: Vec<String> = of.into_iter().map(|v| name(&v)).collect();
        let p = self.param(names);
        self.conditions.push(format!("{column} = ANY({p}::text[])"));
    }

    /// `column` is one of `ids`, or null when `none` is.
    fn ids_or_null(&mut self, column: &str, ids: Vec<Vec<u8>>, none: bool) {
        let p = self.param(ids);
        let null = if none {
            format!(" OR {column} IS NULL")
        } else {
            String::new()
        };
        self.conditions
            .push(format!("({column} = ANY({p}::bytea[]){null})"));
    }

    fn key(&mut self, column: &str, op: &str, at: Position) {
        let p = self.param(at.to_bytes());
        self.conditions.push(format!("{column} {op} {p}::bytea"));
    }

    /// A custom field condition, as [`FieldCondition::matches`] holds it.
    fn field(&mut self, c: &FieldCondition) {
        let set = |s: &mut Self| {
            let p = s.param(vec![field_set(&c.key)]);
            format!("field_terms @> {p}::text[]")
        };
        let cond = match &c.test {
            FieldTest::Set => set(self),
            FieldTest::Empty => format!("NOT ({})", set(self)),
            FieldTest::AnyOf(terms) => {
                let t: Vec<String> = terms.iter().map(|t| field_term(&c.key, t)).collect();
                let p = self.param(t);
                format!("field_terms && {p}::text[]")
            }
            FieldTest::Between { min, max } => {
                let bounds: Vec<Option<(&str, String)>> =
                    [min, max].into_iter().flatten().map(ordered).collect();
                // Every bound ordered and of one kind, else nothing holds.
                let kinds: std::collections::BTreeSet<Option<&str>> =
                    bounds.iter().map(|b| b.as_ref().map(|b| b.0)).collect();
                if kinds.contains(&None) || kinds.len() > 1 {
                    "false".to_owned()
                } else {
                    let k = self.param(c.key.as_str().to_owned());
                    let mut parts = vec![format!("field_ord ? {k}::text")];
                    if let Some(Some(kind)) = kinds.first() {
                        let kp = self.param((*kind).to_owned());
                        parts.push(format!("field_ord -> {k}::text ->> 0 = {kp}::text"));
                    }
                    for (bound, op) in [(min, ">="), (max, "<=")] {
                        if let Some((_, n)) = bound.as_ref().and_then(ordered) {
                            let p = self.param(n);
                            parts.push(format!(
                                "(field_ord -> {k}::text ->> 1)::numeric {op} {p}::text::numeric"
                            ));
                        }
                    }
                    format!("({})", parts.join(" AND "))
                }
            }
            // A test this version does not know holds for nothing.
            _ => "false".to_owned(),
        };
        self.conditions.push(cond);
    }

    /// The query's filters and restriction at `now`.
    fn of(q: &QueueQuery, now: DateTime<Utc>) -> Self {
        let mut s = Sql::default();
        for f in &q.queue().filters {
            match f {
                Filter::Status(v) => s.names("status", v),
                Filter::Priority(v) => s.names("priority", v),
                Filter::Type(v) => s.names("ticket_type", v),
                Filter::Channel(v) => s.names("channel", v),
                Filter::Assignee(v) => {
                    let a = q.assignees(v);
                    let ids = a
                        .iter()
                        .flatten()
                        .map(|a| bytes(a.as_uuid().as_bytes()))
                        .collect();
                    // "Me" without a viewer never gets here (the query is
                    // checked); unassigned is null.
                    let none = v.contains(&AssigneeIs::Unassigned);
                    s.ids_or_null("assignee", ids, none);
                }
                Filter::Team(v) => {
                    let ids = v
                        .iter()
                        .flatten()
                        .map(|t| bytes(t.as_uuid().as_bytes()))
                        .collect();
                    s.ids_or_null("team", ids, v.contains(&None));
                }
                Filter::Customer(v) => {
                    let ids: Vec<Vec<u8>> =
                        v.iter().map(|c| bytes(c.as_uuid().as_bytes())).collect();
                    let p = s.param(ids);
                    s.conditions.push(format!("customer = ANY({p}::bytea[])"));
                }
                Filter::Tags(m) => {
                    let (op, tags) = match m {
                        TagMatch::All(t) => ("tags @> {}", t),
                        TagMatch::Any(t) => ("tags && {}", t),
                        TagMatch::None(t) => ("NOT (tags && {})", t),
                    };
                    let tags: Vec<String> = tags.iter().map(|t| t.as_str().to_owned()).collect();
                    let p = s.param(tags);
                    s.conditions.push(op.replace("{}", &format!("{p}::text[]")));
                }
                Filter::Sla(SlaState::Breached) => {
                    let p = s.param(Position::first_at(now).to_bytes());
                    s.conditions
                        .push(format!("(breached OR k_deadline < {p}::bytea)"));
                }
                Filter::Sla(SlaState::DueWithin(d)) => {
                    let until = now
                        .checked_add_signed(*d)
                        .unwrap_or(DateTime::<Utc>::MAX_UTC);
                    s.key("k_deadline", ">=", Position::first_at(now));
                    s.key("k_deadline", "<=", Position::last_at(until));
                }
                Filter::Sla(SlaState::NoRunning) => {
                    s.conditions.push("get_byte(k_deadline, 0) = 1".into());
                }
                Filter::OpenedBefore(w) => s.key("k_created", "<", Position::first_at(w.at(now))),
                Filter::OpenedAfter(w) => s.key("k_created", ">=", Position::first_at(w.at(now))),
                Filter::UpdatedBefore(w) => s.key("k_updated", "<", Position::first_at(w.at(now))),
                Filter::UpdatedAfter(w) => s.key("k_updated", ">=", Position::first_at(w.at(now))),
                Filter::Field(c) => s.field(c),
                // A filter this version does not know matches nothing.
                _ => s.conditions.push("false".into()),
            }
        }
        match q.restriction() {
            Restriction::All => {}
            Restriction::Assignee(a) => {
                let p = s.param(bytes(a.as_uuid().as_bytes()));
                s.conditions.push(format!("assignee = {p}::bytea"));
            }
            Restriction::TeamsOrAssignee { teams, agent } => {
                let a = s.param(bytes(agent.as_uuid().as_bytes()));
                let ids: Vec<Vec<u8>> = teams
                    .iter()
                    .map(|t| bytes(t.as_uuid().as_bytes()))
                    .collect();
                let t = s.param(ids);
                s.conditions.push(format!(
                    "(assignee = {a}::bytea OR team = ANY({t}::bytea[]))"
                ));
            }
            Restriction::Requester(contacts) => {
                let ids: Vec<Vec<u8>> = contacts
                    .iter()
                    .map(|c| bytes(c.as_uuid().as_bytes()))
                    .collect();
                let p = s.param(ids);
                s.conditions.push(format!("requester = ANY({p}::bytea[])"));
            }
            Restriction::Customer(c) => {
                let p = s.param(bytes(c.as_uuid().as_bytes()));
                s.conditions.push(format!("customer = {p}::bytea"));
            }
            // A restriction this version does not know allows nothing.
            _ => s.conditions.push("false".into()),
        }
        s
    }

    fn where_clause(&self) -> String {
        if self.conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.conditions.join(" AND "))
        }
    }

    fn refs(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.params
            .iter()
            .map(|p| &**p as &(dyn ToSql + Sync))
            .collect()
    }
}

/// The column of a sort's key.
fn key_column(by: SortBy) -> &'static str {
    match by {
        SortBy::NextDeadline => "k_deadline",
        SortBy::Priority => "k_priority",
        SortBy::Created => "k_created",
        SortBy::Updated => "k_updated",
    }
}

impl QueueReadModel for PgQueues {
    type Error = StoreError;

    fn apply_rows(&mut self, changes: &[RowChange]) -> Result<(), StoreError> {
        let mut tx = self.client.transaction().map_err(backend)?;
        let upsert = tx.prepare(UPSERT).map_err(backend)?;
        for c in changes {
            match c {
                RowChange::Upsert(row) => upsert_row(&mut tx, &upsert, row)?,
                RowChange::Remove(id) => {
                    tx.execute(
                        "DELETE FROM queue_rows WHERE id = $1",
                        &[&bytes(id.as_uuid().as_bytes())],
                    )
                    .map_err(backend)?;
                }
            }
        }
        tx.commit().map_err(backend)
    }

    fn page(&mut self, query: &QueueQuery, now: DateTime<Utc>) -> Result<QueuePage, StoreError> {
        let mut s = Sql::of(query, now);
        let sort = query.sort();
        let k = key_column(sort.by);
        if let Some(after) = query.after() {
            let c = s.param(after.to_bytes());
            let condition = if sort.descending {
                let g = s.param(i32::from(after.group()));
                format!(
                    "(get_byte({k}, 0) > {g}::int OR (get_byte({k}, 0) = {g}::int AND {k} < {c}::bytea))"
                )
            } else {
                format!("{k} > {c}::bytea")
            };
            s.conditions.push(condition);
        }
        let order = if sort.descending {
            format!("get_byte({k}, 0) ASC, {k} DESC")
        } else {
            format!("{k} ASC")
        };
        let limit = i64::try_from(query.limit().saturating_add(1)).unwrap_or(i64::MAX);
        let l = s.param(limit);
        let sql = format!(
            "SELECT row_json FROM queue_rows{} ORDER BY {order} LIMIT {l}::bigint",
            s.where_clause()
        );
        let found = self.client.query(&sql, &s.refs()).map_err(backend)?;
        let mut rows = Vec::with_capacity(found.len());
        for r in found {
            let json: String = r.try_get(0).map_err(backend)?;
            rows.push(serde_json::from_str::<QueueRow>(&json).map_err(backend)?);
        }
        let next = if rows.len() > query.limit() {
            rows.truncate(query.limit());
            rows.last().map(|r| Cursor::after(sort, r))
        } else {
            None
        };
        Ok(QueuePage { rows, next })
    }

    fn count(&mut self, query: &QueueQuery, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let s = Sql::of(query, now);
        let sql = format!("SELECT count(*) FROM queue_rows{}", s.where_clause());
        let row = self.client.query_one(&sql, &s.refs()).map_err(backend)?;
        let n: i64 = row.try_get(0).map_err(backend)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}
