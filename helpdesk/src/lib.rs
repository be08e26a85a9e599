//! A small helpdesk service built only on `fanatical`'s public API: an
//! agent console, a customer portal, a supervisor page and a public
//! status page, over a desk on SQLite (a file, nothing to install) or
//! PostgreSQL.
//!
//! - [`desk_loop`]: the one thread that owns the desk and its store and
//!   runs the desk's loop (commands, timers, the outbox to files).
//! - [`demo`]: the demo organisation it starts with.
//! - [`web`]: the router and its pages.
//!
//! Demo sign-in is **not** authentication: see the README.

pub mod demo;
pub mod desk_loop;
pub mod svg;
pub mod web;

use std::path::PathBuf;

use desk_loop::{Clock, DeskHandle, DeskSetup, StoreChoice};

/// How the service starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The data folder: the SQLite file and `outbox/`.
    pub data: PathBuf,
    /// A PostgreSQL URL: the desk on PostgreSQL instead of SQLite.
    pub database_url: Option<String>,
    /// The PostgreSQL schema of the desk's tables (`None`: the store's
    /// default, `fanatical`): several desks in one database.
    pub schema: Option<String>,
    /// Start with no demo organisation.
    pub empty: bool,
    /// The address to listen on.
    pub listen: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            data: PathBuf::from("./helpdesk-data"),
            database_url: None,
            schema: None,
            empty: false,
            listen: "127.0.0.1:8080".to_owned(),
        }
    }
}

impl Options {
    /// Reads the command line (`--data DIR`, `--database-url URL`,
    /// `--schema NAME`, `--empty`, `--listen ADDR`); `DATABASE_URL` stands for
    /// `--database-url` when given.
    ///
    /// # Errors
    /// An unknown argument or one missing its value.
    pub fn parse(
        args: impl IntoIterator<Item = String>,
        database_url: Option<String>,
    ) -> Result<Self, String> {
        let mut o = Options {
            database_url: database_url.filter(|u| !u.is_empty()),
            ..Options::default()
        };
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
            match arg.as_str() {
                "--data" => o.data = PathBuf::from(value("--data")?),
                "--database-url" => o.database_url = Some(value("--database-url")?),
                "--schema" => o.schema = Some(value("--schema")?),
                "--listen" => o.listen = value("--listen")?,
                "--empty" => o.empty = true,
                "-h" | "--help" => return Err(USAGE.to_owned()),
                other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
            }
        }
        Ok(o)
    }
}

/// The command line's help.
pub const USAGE: &str =
    "usage: helpdesk [--data DIR] [--database-url URL] [--schema NAME] [--empty] [--listen ADDR]
  --data DIR          data folder: the SQLite file and outbox/ (default ./helpdesk-data)
  --database-url URL  run the desk on PostgreSQL (or set DATABASE_URL)
  --schema NAME       the PostgreSQL schema of the desk's tables (default fanatical)
  --empty             start without the demo organisation
  --listen ADDR       address to listen on (default 127.0.0.1:8080)";

/// Starts the desk task for `options` with `clock`: the demo
/// configuration and seed unless `empty`.
///
/// # Errors
/// What went wrong opening the store or starting the desk.
pub fn start_desk(options: &Options, clock: Clock) -> Result<DeskHandle, String> {
    let store = match &options.database_url {
        Some(url) => StoreChoice::Postgres {
            url: url.clone(),
            schema: options.schema.clone(),
        },
        None => StoreChoice::Sqlite(options.data.join("desk.sqlite")),
    };
    let cast = demo::Cast::new();
    let (config, seed) = if options.empty {
        (fanatical::desk::DeskConfig::default(), None)
    } else {
        let seed: desk_loop::Seed =
            Box::new(move |desk, store, now| demo::seed(desk, store, &cast, now));
        (demo::config(&cast)?, Some(seed))
    };
    desk_loop::spawn(DeskSetup {
        store,
        config,
        outbox_dir: options.data.join("outbox"),
        clock,
        seed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn the_command_line_is_read() {
        assert_eq!(Options::parse(args(&[]), None), Ok(Options::default()));
        let o = Options::parse(
            args(&[
                "--data",
                "/tmp/d",
                "--empty",
                "--listen",
                "0.0.0.0:1",
                "--schema",
                "desk2",
            ]),
            Some("postgres://x".into()),
        )
        .unwrap_or_default();
        assert_eq!(o.data, PathBuf::from("/tmp/d"));
        assert!(o.empty);
        assert_eq!(o.listen, "0.0.0.0:1");
        assert_eq!(o.schema.as_deref(), Some("desk2"));
        assert_eq!(o.database_url.as_deref(), Some("postgres://x"));
        // The flag wins over the environment; an empty variable is none.
        let o = Options::parse(
            args(&["--database-url", "postgres://y"]),
            Some("postgres://x".into()),
        );
        assert_eq!(o.map(|o| o.database_url), Ok(Some("postgres://y".into())));
        assert_eq!(
            Options::parse(args(&[]), Some(String::new())).map(|o| o.database_url),
            Ok(None)
        );
        assert!(Options::parse(args(&["--data"]), None).is_err());
        assert!(Options::parse(args(&["--nope"]), None).is_err());
    }

    #[test]
    fn dot_becomes_svg_and_bad_dot_an_error() {
        let svg = svg::from_dot("digraph { a -> b [label=\"escalate\"]; }");
        assert!(svg.is_ok_and(|s| s.contains("<svg")));
        assert!(svg::from_dot("digraph { a -> ").is_err());
    }

    #[test]
    fn the_demo_configuration_validates_and_names_its_people() {
        let cast = demo::Cast::new();
        let config = demo::config(&cast);
        assert!(
            config.is_ok_and(|c| c.escalation.is_some()
                && c.surveys.csat_on_solve.as_deref() == Some(demo::CSAT))
        );
        // The same ids on every start, so a restart finds the same people.
        assert_eq!(demo::Cast::new().ana, cast.ana);
    }
}
