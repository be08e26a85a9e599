//! The one task that owns the desk and its store, and runs the desk's
//! loop: commands from the web handlers over a channel (each with a
//! oneshot for its answer), timers at [`Desk::poll_timeout`], and the
//! outbox drained to a [`FileTransport`] after every turn.
//!
//! The task is an OS thread rather than a tokio task: both stores are
//! synchronous (`rusqlite`, and the blocking `postgres` client, which runs
//! a runtime of its own and may not be called from inside tokio's), and
//! one thread that owns the desk needs no lock around it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration as StdDuration;

use chrono::{DateTime, Utc};
use fanatical::actor::Actor;
use fanatical::desk::{Command, Desk, DeskConfig};
use fanatical::outbox::{OutboundMessage, OutboxAction, Recipient};
use fanatical::permission::PermissionError;
use fanatical::store::Store;
use fanatical::transport::{Delivery, Transport, TransportError};
use tokio::sync::oneshot;

/// Where the service's time comes from: the system clock in the service,
/// a clock the test moves in tests.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The system clock (through `SystemTime`: the workspace builds chrono
/// without its `clock` feature, so the library cannot read the time).
#[must_use]
pub fn system_clock() -> Clock {
    Arc::new(|| DateTime::<Utc>::from(std::time::SystemTime::now()))
}

/// Which store the desk runs on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreChoice {
    /// A SQLite file (created when missing).
    Sqlite(PathBuf),
    /// A PostgreSQL database, by its URL, and the schema the desk's
    /// tables live in (`None`: `fanatical_postgres::DEFAULT_SCHEMA`).
    Postgres {
        /// The database's URL.
        url: String,
        /// The schema.
        schema: Option<String>,
    },
}

/// A command the desk refused: the error's text, and the permission the
/// actor lacks when that is why.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    /// What the desk said (or that the desk task has stopped).
    pub error: String,
    /// The permission missing, when the refusal is one
    /// ([`Desk::missing_permission`]).
    pub missing: Option<PermissionError>,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.error)
    }
}

/// The desk task is gone (it failed to start, or stopped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeskGone;

impl std::fmt::Display for DeskGone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the desk task has stopped")
    }
}

impl std::error::Error for DeskGone {}

type Read = Box<dyn FnOnce(&Desk, DateTime<Utc>) + Send>;

enum Request {
    Execute {
        command: Box<Command>,
        reply: oneshot::Sender<Result<(), Refusal>>,
    },
    Read(Read),
    /// Wake up: run what is due now (a test moved its clock).
    Tick(oneshot::Sender<()>),
}

/// How the web handlers reach the desk task. Cheap to clone.
#[derive(Clone)]
pub struct DeskHandle {
    tx: mpsc::Sender<Request>,
}

impl std::fmt::Debug for DeskHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeskHandle").finish_non_exhaustive()
    }
}

impl DeskHandle {
    /// Decides, persists and applies `command` on the desk task.
    ///
    /// # Errors
    /// The desk's refusal (with the missing permission when that is
    /// why), or [`DeskGone`] inside it when the task has stopped.
    pub async fn execute(&self, command: Command) -> Result<(), Refusal> {
        let (reply, rx) = oneshot::channel();
        let gone = || Refusal {
            error: DeskGone.to_string(),
            missing: None,
        };
        self.tx
            .send(Request::Execute {
                command: Box::new(command),
                reply,
            })
            .map_err(|_| gone())?;
        rx.await.map_err(|_| gone())?
    }

    /// Runs `f` on the desk task with the desk and the time now, and hands
    /// back what it returns (a page's data, or the page itself).
    ///
    /// # Errors
    /// [`DeskGone`] when the task has stopped.
    pub async fn read<T, F>(&self, f: F) -> Result<T, DeskGone>
    where
        T: Send + 'static,
        F: FnOnce(&Desk, DateTime<Utc>) -> T + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let read: Read = Box::new(move |desk, now| {
            let _ = tx.send(f(desk, now));
        });
        self.tx.send(Request::Read(read)).map_err(|_| DeskGone)?;
        rx.await.map_err(|_| DeskGone)
    }

    /// Asks the task to run whatever is due now (timers, the outbox) and
    /// waits until it has.
    ///
    /// # Errors
    /// [`DeskGone`] when the task has stopped.
    pub async fn tick(&self) -> Result<(), DeskGone> {
        let (tx, rx) = oneshot::channel();
        self.tx.send(Request::Tick(tx)).map_err(|_| DeskGone)?;
        rx.await.map_err(|_| DeskGone)
    }
}

/// What to run once on a new desk: the desk, its store, the time.
pub type Seed =
    Box<dyn FnOnce(&mut Desk, &mut dyn Store, DateTime<Utc>) -> Result<(), String> + Send>;

/// What the desk task starts from.
pub struct DeskSetup {
    /// The store.
    pub store: StoreChoice,
    /// The desk's configuration.
    pub config: DeskConfig,
    /// Where outgoing messages are written (a folder, created if missing).
    pub outbox_dir: PathBuf,
    /// The time.
    pub clock: Clock,
    /// What to run once on a desk with nothing stored yet (the demo
    /// organisation), with the desk, its store and the time.
    pub seed: Option<Seed>,
}

impl std::fmt::Debug for DeskSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeskSetup")
            .field("store", &self.store)
            .field("outbox_dir", &self.outbox_dir)
            .finish_non_exhaustive()
    }
}

/// Starts the desk task: opens the store, rebuilds the desk from it,
/// seeds it when it is new and a seed is given, and runs the loop until
/// every [`DeskHandle`] is dropped.
///
/// # Errors
/// What went wrong opening the store, rebuilding the desk or seeding it.
pub fn spawn(setup: DeskSetup) -> Result<DeskHandle, String> {
    let (tx, rx) = mpsc::channel::<Request>();
    let (ready_tx, ready_rx) = mpsc::channel::<Result<(), String>>();
    std::thread::Builder::new()
        .name("desk".into())
        .spawn(move || {
            let DeskSetup {
                store,
                config,
                outbox_dir,
                clock,
                seed,
            } = setup;
            let started = open(&store).and_then(|mut store| {
                let mut desk = Desk::rebuild(&*store, config)
                    .map_err(|e| format!("rebuilding the desk: {e}"))?;
                if desk.position() == 0
                    && let Some(seed) = seed
                {
                    seed(&mut desk, &mut *store, clock()).map_err(|e| format!("seeding: {e}"))?;
                }
                let transport = FileTransport::new(&outbox_dir)?;
                Ok((desk, store, transport))
            });
            match started {
                Ok((desk, store, transport)) => {
                    let _ = ready_tx.send(Ok(()));
                    run(desk, store, transport, &clock, &rx);
                }
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                }
            }
        })
        .map_err(|e| format!("starting the desk thread: {e}"))?;
    ready_rx
        .recv()
        .map_err(|_| "the desk thread stopped while starting".to_owned())??;
    Ok(DeskHandle { tx })
}

fn open(choice: &StoreChoice) -> Result<Box<dyn Store>, String> {
    match choice {
        StoreChoice::Sqlite(path) => {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("creating {}: {e}", dir.display()))?;
            }
            let store = fanatical_sqlite::SqliteStore::open(path)
                .map_err(|e| format!("opening {}: {e}", path.display()))?;
            Ok(Box::new(store))
        }
        StoreChoice::Postgres { url, schema } => {
            let schema = schema
                .as_deref()
                .unwrap_or(fanatical_postgres::DEFAULT_SCHEMA);
            let store = fanatical_postgres::PgStore::with_schema(url, schema)
                .map_err(|e| format!("connecting to PostgreSQL: {e}"))?;
            Ok(Box::new(store))
        }
    }
}

/// Longest sleep between two turns with nothing due: the loop also wakes
/// for every request.
const IDLE: StdDuration = StdDuration::from_secs(30);

fn run(
    mut desk: Desk,
    mut store: Box<dyn Store>,
    mut transport: FileTransport,
    clock: &Clock,
    rx: &mpsc::Receiver<Request>,
) {
    loop {
        let now = clock();
        turn(&mut desk, &mut *store, &mut transport, now);
        let wait = desk.poll_timeout().map_or(IDLE, |at| {
            (at - clock()).to_std().unwrap_or_default().min(IDLE)
        });
        let request = match rx.recv_timeout(wait) {
            Ok(r) => r,
            Err(RecvTimeoutError::Timeout) => {
                if let Some(next) = desk.next_timer() {
                    println!("desk: woke for {} at {}", next.kind, next.at);
                }
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => return,
        };
        let now = clock();
        match request {
            Request::Execute { command, reply } => {
                let command = *command;
                let missing = desk.missing_permission(&command);
                let outcome = desk
                    .execute(&mut *store, command, now)
                    .map(|_| ())
                    .map_err(|e| Refusal {
                        error: e.to_string(),
                        missing,
                    });
                let _ = reply.send(outcome);
            }
            Request::Read(f) => f(&desk, now),
            Request::Tick(done) => {
                turn(&mut desk, &mut *store, &mut transport, now);
                let _ = done.send(());
            }
        }
    }
}

/// One turn of the loop: fire what is due, then deliver what is ready.
fn turn(desk: &mut Desk, store: &mut dyn Store, transport: &mut FileTransport, now: DateTime<Utc>) {
    if desk.poll_timeout().is_some_and(|at| at <= now)
        && let Err(e) = desk.handle_timeout(store, now)
    {
        eprintln!("desk: timers at {now}: {e}");
    }
    while let Some(message) = desk.poll_outbound(now) {
        let ack = match transport.deliver(&message) {
            Ok(_) => OutboxAction::MarkDelivered {
                message: message.id,
            },
            Err(e) => OutboxAction::MarkFailed {
                message: message.id,
                reason: e.to_string(),
            },
        };
        let command = Command::new(Actor::integration("outbox"), ack);
        if let Err(e) = desk.execute(store, command, now) {
            eprintln!("desk: acknowledging message {}: {e}", message.id);
            break;
        }
    }
}

/// A transport that writes each outgoing message to a file of its own in
/// a folder (named by the message id, so a repeat overwrites it: duplicates
/// are harmless) and logs one line for it.
#[derive(Debug)]
pub struct FileTransport {
    dir: PathBuf,
}

impl FileTransport {
    /// A transport writing into `dir`, created if missing.
    ///
    /// # Errors
    /// When the folder cannot be created.
    pub fn new(dir: &Path) -> Result<Self, String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        Ok(FileTransport {
            dir: dir.to_owned(),
        })
    }
}

impl Transport for FileTransport {
    fn deliver(&mut self, message: &OutboundMessage) -> Result<Delivery, TransportError> {
        let path = self.dir.join(format!("{}.txt", message.id));
        let duplicate = path.exists();
        let to = match &message.recipient {
            Recipient::Contact { contact, address } => format!("contact {contact} <{address}>"),
            Recipient::Agent { agent } => format!("agent {agent}"),
            other => format!("{other:?}"),
        };
        let ticket = message
            .ticket
            .map_or_else(|| "-".to_owned(), |t| t.to_string());
        let text = format!(
            "To: {to}\nChannel: {}\nTicket: {ticket}\nQueued: {}\n\n{}\n",
            message.channel, message.queued_at, message.body
        );
        std::fs::write(&path, text).map_err(|e| TransportError::Unavailable {
            id: message.id,
            reason: format!("writing {}: {e}", path.display()),
        })?;
        println!(
            "outbox: message {} to {to} on {} -> {}",
            message.id,
            message.channel,
            path.display()
        );
        Ok(if duplicate {
            Delivery::Duplicate
        } else {
            Delivery::Delivered
        })
    }
}
