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
        private_dir(data_dir)?;
        let path = data_dir.join("conferences.sqlite3");
        // SQLite gives its -wal and -shm files the database file's mode, so
        // making that one 0600 first keeps all three private.
        private_file(&path)?;
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

/// The data folder, created 0700 (and made so if it exists): it holds the
/// signing key and every conference's PINs.
fn private_dir(dir: &Path) -> Result<(), String> {
    let err = |e: std::io::Error| format!("{}: {e}", dir.display());
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(err)?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(err)
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir).map_err(err)
}

/// Creates `path` 0600 if missing, and makes it 0600 if not.
fn private_file(path: &Path) -> Result<(), String> {
    let err = |e: std::io::Error| format!("{}: {e}", path.display());
    let mut open = std::fs::OpenOptions::new();
    open.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        open.mode(0o600);
        open.open(path).map_err(err)?;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(err)
    }
    #[cfg(not(unix))]
    open.open(path).map(drop).map_err(err)
}

/// The token signing key in `data/token.key`, made on first start: written
/// 0600 to a temporary file, then renamed, so no reader ever sees a partial
/// or readable key.
pub fn signing_key(data: &Path) -> Result<Vec<u8>, String> {
    private_dir(data)?;
    let path = data.join("token.key");
    let err = |e: std::io::Error| format!("{}: {e}", path.display());
    if let Ok(key) = std::fs::read(&path) {
        if key.len() >= 32 {
            private_file(&path)?;
            return Ok(key);
        }
    }
    let mut key = vec![0u8; 32];
    getrandom::fill(&mut key).map_err(|e| e.to_string())?;
    let temporary = data.join(format!("token.key.{}.tmp", std::process::id()));
    let _ = std::fs::remove_file(&temporary);
    private_file(&temporary)?;
    {
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(&temporary)
            .map_err(err)?;
        file.write_all(&key).map_err(err)?;
        file.sync_all().map_err(err)?;
    }
    std::fs::rename(&temporary, &path).map_err(err)?;
    Ok(key)
}

pub enum Lookup<'a> {
    Id(u64),
    Code(&'a str),
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &std::path::Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn the_key_and_database_are_private() {
        let root = tempfile::tempdir().unwrap();
        let data = root.path().join("data");
        let store = super::Store::open(&data).unwrap();
        store.code_exists("1").unwrap();
        let key = super::signing_key(&data).unwrap();
        assert_eq!(key.len(), 32);
        assert_eq!(super::signing_key(&data).unwrap(), key, "kept");
        assert_eq!(mode(&data), 0o700);
        for name in [
            "token.key",
            "conferences.sqlite3",
            "conferences.sqlite3-wal",
        ] {
            assert_eq!(mode(&data.join(name)), 0o600, "{name}");
        }
        let names: Vec<_> = std::fs::read_dir(&data)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert!(!names.iter().any(|n| n.ends_with(".tmp")), "{names:?}");
    }
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
