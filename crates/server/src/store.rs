//! Conferences, kept in SQLite (WAL), so what was created survives a restart.
//! The UNIQUE constraint on `code` is what makes two concurrent creates of one
//! code give exactly one conference.

use std::path::Path;
use std::sync::{Arc, Mutex};

use conference::json::Json;
use conference::{Conference, Field, Kind, Param, PARAMS};
use rusqlite::{Connection, OptionalExtension};

#[derive(Clone)]
pub(crate) struct Store {
    db: Arc<Mutex<Connection>>,
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum InsertError {
    DuplicateCode,
    Database(String),
}

/// A stored conference as `conferences/get` returns it.
#[derive(Debug, Clone)]
pub(crate) struct Stored {
    pub(crate) customer: u32,
    pub(crate) data: Json,
}

/// The parameters kept, each in a column named as the API names it, in the
/// table's order: every request parameter but `customer`, whose column holds
/// the customer it was created in (resolved, never empty) and comes first.
/// Generated from the same table as everything else, so a new parameter
/// needs no change here; the columns are those of the earlier hand-written
/// schema, so a database made by it is used as it is.
fn kept() -> impl Iterator<Item = &'static Param> {
    PARAMS
        .iter()
        .filter(|p| p.field.is_request() && p.field != Field::Customer)
}

fn is_number(kind: Kind) -> bool {
    matches!(kind, Kind::Integer { .. } | Kind::Flag)
}

fn sql_type(param: &Param) -> &'static str {
    match (is_number(param.kind), param.field) {
        (_, Field::Code) => "TEXT NOT NULL UNIQUE",
        (true, _) => "INTEGER NOT NULL",
        (false, _) => "TEXT NOT NULL",
    }
}

fn schema() -> String {
    let columns: String = kept()
        .map(|p| format!("    {} {},\n", p.name, sql_type(p)))
        .collect();
    format!(
        "CREATE TABLE IF NOT EXISTS conferences (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer INTEGER NOT NULL,
{columns}    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);"
    )
}

/// Adds the columns of parameters newer than the database, each holding the
/// API default for the conferences already there.
fn add_new_columns(db: &Connection) -> rusqlite::Result<()> {
    let mut existing = Vec::new();
    let mut columns = db.prepare("SELECT name FROM pragma_table_info('conferences')")?;
    for name in columns.query_map([], |row| row.get::<_, String>(0))? {
        existing.push(name?);
    }
    for param in kept().filter(|p| !existing.iter().any(|e| e == p.name)) {
        let default = match param.default.parse::<i64>() {
            Ok(n) if is_number(param.kind) => n.to_string(),
            _ => format!("'{}'", param.default.replace('\'', "''")),
        };
        let column = format!("{} {} DEFAULT {default}", param.name, sql_type(param));
        db.execute_batch(&format!("ALTER TABLE conferences ADD COLUMN {column}"))?;
    }
    Ok(())
}

/// The columns `conferences/get` returns, in order.
fn columns() -> Vec<&'static str> {
    ["id", "customer"]
        .into_iter()
        .chain(kept().map(|p| p.name))
        .collect()
}

/// A value as its column keeps it: numbers as integers, the rest as text.
fn sql_value(field: Field, value: &str) -> rusqlite::types::Value {
    use rusqlite::types::Value;
    match value.parse::<i64>() {
        Ok(n) if is_number(field.param().kind) => Value::Integer(n),
        _ => Value::Text(value.to_owned()),
    }
}

impl Store {
    pub(crate) fn open(data_dir: &Path) -> Result<Store, String> {
        private_dir(data_dir)?;
        let path = data_dir.join("conferences.sqlite3");
        // SQLite gives its -wal and -shm files the database file's mode, so
        // making that one 0600 first keeps all three private.
        private_file(&path)?;
        let db = Connection::open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        db.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;",
        )
        .and_then(|_| db.execute_batch(&schema()))
        .and_then(|_| add_new_columns(&db))
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

    pub(crate) fn insert(
        &self,
        c: &Conference,
        customer: u32,
        created_by: &str,
    ) -> Result<u64, InsertError> {
        use rusqlite::types::Value;
        let mut names = vec!["customer"];
        let mut values = vec![Value::Integer(customer.into())];
        for (field, value) in c.pairs().filter(|(f, _)| *f != Field::Customer) {
            names.push(field.name());
            values.push(sql_value(field, value));
        }
        names.push("created_by");
        values.push(Value::Text(created_by.to_owned()));
        let placeholders: Vec<String> = (1..=values.len()).map(|i| format!("?{i}")).collect();
        let sql = format!(
            "INSERT INTO conferences ({}, created_at) VALUES ({}, datetime('now'))",
            names.join(", "),
            placeholders.join(", ")
        );
        let db = self.db.lock().unwrap_or_else(|e| e.into_inner());
        let result = db.execute(&sql, rusqlite::params_from_iter(values));
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

    pub(crate) fn code_exists(&self, code: &str) -> Result<bool, String> {
        self.with(|db| {
            db.query_row("SELECT 1 FROM conferences WHERE code = ?1", [code], |_| {
                Ok(())
            })
            .optional()
            .map(|r| r.is_some())
        })
    }

    /// By ID or by code.
    pub(crate) fn get(&self, by: Lookup<'_>) -> Result<Option<Stored>, String> {
        let (clause, value): (&str, &dyn rusqlite::ToSql) = match &by {
            Lookup::Id(id) => ("id = ?1", id),
            Lookup::Code(code) => ("code = ?1", code),
        };
        self.with(|db| {
            db.query_row(
                &format!(
                    "SELECT {} FROM conferences WHERE {clause}",
                    columns().join(", ")
                ),
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
pub(crate) fn signing_key(data: &Path) -> Result<Vec<u8>, String> {
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

pub(crate) enum Lookup<'a> {
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

    #[test]
    fn a_database_from_before_a_parameter_gets_its_column() {
        let root = tempfile::tempdir().unwrap();
        let data = root.path();
        // A table from a release that knew only the code.
        rusqlite::Connection::open(data.join("conferences.sqlite3"))
            .unwrap()
            .execute_batch(
                "CREATE TABLE conferences (id INTEGER PRIMARY KEY AUTOINCREMENT,
                 customer INTEGER NOT NULL, code TEXT NOT NULL UNIQUE,
                 created_by TEXT NOT NULL, created_at TEXT NOT NULL);
                 INSERT INTO conferences (customer, code, created_by, created_at)
                 VALUES (1, '100', 'demo', datetime('now'));",
            )
            .unwrap();
        let store = super::Store::open(data).unwrap();
        let old = store.get(super::Lookup::Code("100")).unwrap().unwrap();
        let draft = conference::Draft::new()
            .with(conference::Field::Code, "200")
            .with(conference::Field::TalkPin, "5555");
        let c = conference::Conference::from_draft(&draft).unwrap();
        store.insert(&c, 1, "demo").unwrap();
        let new = store.get(super::Lookup::Code("200")).unwrap().unwrap();
        let (conference::json::Json::Object(old), conference::json::Json::Object(new)) =
            (old.data, new.data)
        else {
            panic!("not objects");
        };
        // Both hold every column; the old one the API's defaults.
        let names = |o: &[(String, conference::json::Json)]| -> Vec<String> {
            o.iter().map(|(n, _)| n.clone()).collect()
        };
        assert_eq!(names(&old), names(&new));
        assert_eq!(old.len(), super::columns().len());
        for (name, value) in &old[3..] {
            let param = conference::Field::from_name(name).unwrap().param();
            let expected = match param.default.parse::<i64>() {
                Ok(n) if super::is_number(param.kind) => conference::json::Json::int(n),
                _ => conference::json::Json::str(param.default),
            };
            assert_eq!(*value, expected, "{name}");
        }
    }
}

fn row_to_json(row: &rusqlite::Row<'_>) -> rusqlite::Result<Stored> {
    // Each column as conferences/get returns it: text as strings, the rest as numbers.
    let mut members = Vec::new();
    for (i, name) in columns().into_iter().enumerate() {
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
