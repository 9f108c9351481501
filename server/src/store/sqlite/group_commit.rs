//! Group commit: one thread owns the writing connection and drains a queue of writes. The
//! writes that queue up while a commit is on its way to disk share the next transaction and
//! its one fsync, so many clients writing at once cost one flush, not one each. Each write runs
//! in a savepoint of its own: one that fails is rolled back alone and the others stand. Nobody
//! is told "done" before the shared commit is on disk (synchronous=FULL), so a 2xx still means
//! the change survives a crash.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use rusqlite::Connection;

use super::StoreError;
use crate::limits::{MOST_WRITES_PER_COMMIT, WRITE_QUEUE_LENGTH};

/// Tells a write how its transaction ended.
type Finish = Box<dyn FnOnce(Result<(), String>) + Send>;
/// A write: given the connection inside an open transaction (`None` when none could be
/// started), it does its work and hands back how to tell its caller.
type Job = Box<dyn FnOnce(Option<&Connection>) -> Finish + Send>;

/// A handle on the writer thread; cheap to clone.
#[derive(Clone)]
pub struct Writer {
    jobs: SyncSender<Job>,
}

impl Writer {
    /// Starts the writer thread on `conn`; it ends when the last handle is dropped.
    pub fn start(conn: Connection) -> Result<Self, StoreError> {
        let (jobs, queue) = sync_channel::<Job>(WRITE_QUEUE_LENGTH);
        std::thread::Builder::new()
            .name("store-writer".into())
            .spawn(move || serve(&conn, &queue))
            .map_err(|err| StoreError::NotSaved(format!("cannot start the writer: {err}")))?;
        Ok(Self { jobs })
    }

    /// Runs `work` in the next shared transaction and returns its result once that
    /// transaction is on disk; if the commit fails, the result is that failure instead.
    pub fn write<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (reply, answer) = sync_channel(1);
        let job: Job = Box::new(move |conn| {
            let outcome = match conn {
                Some(conn) => in_savepoint(conn, work),
                None => Err(StoreError::NotSaved(
                    "no transaction could be started".into(),
                )),
            };
            Box::new(move |committed| {
                let _ = reply.send(match committed {
                    Ok(()) => outcome,
                    Err(why) => Err(StoreError::NotSaved(why)),
                });
            })
        });
        let gone = || StoreError::NotSaved("the writer did not answer".into());
        self.jobs.send(job).map_err(|_| gone())?;
        answer.recv().map_err(|_| gone())?
    }
}

/// `work`, undone alone if it fails.
fn in_savepoint<T>(
    conn: &Connection,
    work: impl FnOnce(&Connection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    conn.execute_batch("SAVEPOINT write")?;
    let outcome = work(conn);
    let end = if outcome.is_ok() {
        "RELEASE write"
    } else {
        "ROLLBACK TO write; RELEASE write"
    };
    conn.execute_batch(end)?;
    outcome
}

fn serve(conn: &Connection, queue: &Receiver<Job>) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < MOST_WRITES_PER_COMMIT {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        crate::telemetry::group_commit_batch(batch.len());
        let ended = match conn.execute_batch("BEGIN IMMEDIATE") {
            Ok(()) => {
                // A write that panics must not take the writer (and every later write) with it:
                // the whole transaction is dropped and its writers told so.
                let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    batch
                        .into_iter()
                        .map(|job| job(Some(conn)))
                        .collect::<Vec<Finish>>()
                }));
                let Ok(finishes) = ran else {
                    let _ = conn.execute_batch("ROLLBACK");
                    continue;
                };
                let committed = conn.execute_batch("COMMIT").map_err(|err| err.to_string());
                if committed.is_err() {
                    let _ = conn.execute_batch("ROLLBACK");
                }
                (finishes, committed)
            }
            Err(err) => (
                batch.into_iter().map(|job| job(None)).collect(),
                Err(err.to_string()),
            ),
        };
        let (finishes, committed) = ended;
        for finish in finishes {
            finish(committed.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_that_panics_fails_and_the_writer_goes_on() {
        let (_dir, writer, _path) = writer();
        let panicked = writer.write(|conn| -> Result<(), StoreError> {
            conn.execute("INSERT INTO t (v) VALUES (1)", [])?;
            panic!("a bug in one write");
        });
        assert!(panicked.is_err());
        let after = writer.write(|conn| {
            conn.execute("INSERT INTO t (v) VALUES (2)", [])?;
            Ok(conn.query_row("SELECT COUNT(*) FROM t", [], |row| row.get::<_, i64>(0))?)
        });
        assert_eq!(after.unwrap(), 1, "the panicking write left nothing behind");
    }

    fn writer() -> (tempfile::TempDir, Writer, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.sqlite3");
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.execute_batch("CREATE TABLE t (v INTEGER PRIMARY KEY)")
            .unwrap();
        (dir, Writer::start(conn).unwrap(), path)
    }

    #[test]
    fn concurrent_writes_all_land_and_a_failing_one_fails_alone() {
        let (_dir, writer, path) = writer();
        let handles: Vec<_> = (0..64)
            .map(|v| {
                let writer = writer.clone();
                std::thread::spawn(move || {
                    writer.write(move |conn| {
                        // Every seventh write inserts a row, then fails: its row must go too.
                        conn.execute("INSERT INTO t (v) VALUES (?1)", [v])?;
                        if v % 7 == 0 {
                            conn.execute("INSERT INTO t (v) VALUES (?1)", [v])?;
                        }
                        Ok(v)
                    })
                })
            })
            .collect();
        let outcomes: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        for (v, outcome) in outcomes.iter().enumerate() {
            assert_eq!(outcome.is_ok(), v % 7 != 0, "{v}: {outcome:?}");
        }
        let stored: Vec<i64> = Connection::open(&path)
            .unwrap()
            .prepare("SELECT v FROM t ORDER BY v")
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let expected: Vec<i64> = (0..64).filter(|v| v % 7 != 0).collect();
        assert_eq!(stored, expected);
    }
}
