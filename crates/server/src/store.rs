//! Conferences, kept in SQLite (WAL), so what was created survives a restart.
//! The UNIQUE constraint on `code` is what makes two concurrent creates of one
//! code give exactly one conference.

use std::path::Path;
use std::sync::{Arc, Mutex};

use conference::json::Json;
use conference::Conference;
use rusqlite::{params, Connection, OptionalExtension};

#[derive(Clone)]
pub struct Store {
    db: Arc<Mutex<Connection>>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum InsertError {
    DuplicateCode,
    Database(String),
}

/// A stored conference as `conferences/get` returns it.
#[derive(Debug, Clone)]
pub struct Stored {
    pub customer: u32,
    pub data: Json,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS conferences (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    customer    INTEGER NOT NULL,
    code        TEXT NOT NULL UNIQUE,
    adminpin    TEXT NOT NULL,
    talkpin     TEXT NOT NULL,
    listenpin   TEXT NOT NULL,
    year        INTEGER NOT NULL,
    month       INTEGER NOT NULL,
    day         INTEGER NOT NULL,
    hour        INTEGER NOT NULL,
    minute      INTEGER NOT NULL,
    duration    INTEGER NOT NULL,
    repeats     TEXT NOT NULL,
    count       INTEGER NOT NULL,
    description TEXT NOT NULL,
    owner       INTEGER NOT NULL,
    callerid    TEXT NOT NULL,
    maximum     INTEGER NOT NULL,
    panel       INTEGER NOT NULL,
    play_join   INTEGER NOT NULL,
    play_music  INTEGER NOT NULL,
    record_name INTEGER NOT NULL,
    wait_music  INTEGER NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);";

const COLUMNS: &str =
    "id, customer, code, adminpin, talkpin, listenpin, year, month, day, hour, minute, \
    duration, repeats, count, description, owner, callerid, maximum, panel, play_join, play_music, \
    record_name, wait_music";

impl Store {
    pub fn open(data_dir: &Path) -> Result<Store, String> {
        std::fs::create_dir_all(data_dir).map_err(|e| format!("{}: {e}", data_dir.display()))?;
        let path = data_dir.join("conferences.sqlite3");
        let db = Connection::open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        db.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;",
        )
        .and_then(|_| db.execute_batch(SCHEMA))
        .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Store {
            db: Arc::new(Mutex::new(db)),
        })
    }

    fn with<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, String> {
        // A panic elsewhere must not make the store unusable: take the lock anyway.
        let db = self.db.lock().unwrap_or_else(|e| e.into_inner());
        f(&db).map_err(|e| e.to_string())
    }

    pub fn insert(
        &self,
        c: &Conference,
        customer: u32,
        created_by: &str,
    ) -> Result<u64, InsertError> {
        use chrono::{Datelike, Timelike};
        let (year, month, day, hour, minute) = match c.start {
            Some(s) => (s.year(), s.month(), s.day(), s.hour(), s.minute()),
            None => (0, 1, 1, 0, 0),
        };
        let db = self.db.lock().unwrap_or_else(|e| e.into_inner());
        let result = db.execute(
            "INSERT INTO conferences (customer, code, adminpin, talkpin, listenpin, year, month, day, hour, minute,
                duration, repeats, count, description, owner, callerid, maximum, panel, play_join, play_music,
                record_name, wait_music, created_by, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, datetime('now'))",
            params![
                customer, c.code, c.adminpin, c.talkpin, c.listenpin, year, month, day, hour, minute,
                c.duration, c.repeats.as_str(), c.count, c.description, c.owner, c.callerid, c.maximum,
                c.panel, c.play_join, c.play_music, c.record_name, c.wait_music, created_by,
            ],
        );
        match result {
            Ok(_) => Ok(db.last_insert_rowid() as u64),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                Err(InsertError::DuplicateCode)
            }
            Err(e) => Err(InsertError::Database(e.to_string())),
        }
    }

    pub fn code_exists(&self, code: &str) -> Result<bool, String> {
        self.with(|db| {
            db.query_row("SELECT 1 FROM conferences WHERE code = ?1", [code], |_| {
                Ok(())
            })
            .optional()
            .map(|r| r.is_some())
        })
    }

    /// By ID or by code.
    pub fn get(&self, by: Lookup<'_>) -> Result<Option<Stored>, String> {
        let (clause, value): (&str, &dyn rusqlite::ToSql) = match &by {
            Lookup::Id(id) => ("id = ?1", id),
            Lookup::Code(code) => ("code = ?1", code),
        };
        self.with(|db| {
            db.query_row(
                &format!("SELECT {COLUMNS} FROM conferences WHERE {clause}"),
                [value],
                row_to_json,
            )
            .optional()
        })
    }
}

pub enum Lookup<'a> {
    Id(u64),
    Code(&'a str),
}

fn row_to_json(row: &rusqlite::Row<'_>) -> rusqlite::Result<Stored> {
    // Each column as conferences/get returns it: text as strings, the rest as numbers.
    let mut members = Vec::new();
    for (i, name) in COLUMNS.split(", ").enumerate() {
        let value = match row.get_ref(i)? {
            rusqlite::types::ValueRef::Integer(n) => Json::int(n),
            rusqlite::types::ValueRef::Text(t) => Json::str(String::from_utf8_lossy(t)),
            _ => Json::Null,
        };
        members.push((name.to_owned(), value));
    }
    let customer = row.get::<_, i64>(1)? as u32;
    Ok(Stored {
        customer,
        data: Json::Object(members),
    })
}
