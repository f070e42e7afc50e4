//! The conference server: hosts the built form, simulates an Enswitch switch
//! on `/api/json/` (or forwards to a real one with `--upstream`).
//!
//! `main.rs` parses the options and calls [`serve`]; tests build the same
//! [`router`] in-process.

mod accounts;
mod api;
#[cfg(feature = "test-hooks")]
mod faults;
mod logline;
mod messages;
mod net;
mod params;
mod simulator;
mod store;
mod throttle;
mod token;
mod upstream;
mod web;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, HeaderValue};
use axum::middleware::from_fn_with_state;
use axum::routing::{any, get};
use axum::Router;
use clap::Parser;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::accounts::Accounts;
use crate::messages::Messages;
use crate::simulator::Simulator;
use crate::store::Store;
use crate::upstream::Upstream;

pub use crate::accounts::hash_password;

#[derive(Parser, Debug, Clone)]
#[command(
    version,
    next_line_help = false,
    about = "Hosts the conference form and simulates an Enswitch switch (or forwards to a real one)."
)]
pub struct Options {
    /// Address to listen on (port 0 picks a free one).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// The built app (Trunk's output).
    #[arg(long, value_name = "DIR", default_value = "dist")]
    dist: PathBuf,
    /// The simulator's database and token key.
    #[arg(long, value_name = "DIR", default_value = "data")]
    data: PathBuf,
    /// Customers, people and users (JSON) instead of the demo accounts.
    #[arg(long, value_name = "FILE")]
    accounts: Option<PathBuf>,
    /// Forward /api/json/ to this switch instead of simulating one.
    #[arg(long, value_name = "URL")]
    upstream: Option<String>,
    /// Who may frame the form (CSP frame-ancestors).
    #[arg(long, value_name = "SOURCES", default_value = "'self'")]
    frame_ancestors: String,
    /// Lifetime of tokens from user/login, at most a year.
    #[arg(long, value_name = "SECONDS", default_value_t = 3600, value_parser = clap::value_parser!(i64).range(1..=31_536_000))]
    token_lifetime: i64,
    /// API results' code as HTTP status (default: always 200).
    #[arg(long)]
    http_status: bool,
    /// Time to send a request's headers; also the keep-alive idle limit.
    #[arg(long, value_name = "MS", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    header_timeout_ms: u64,
    /// Time to send a request's body.
    #[arg(long, value_name = "MS", default_value_t = 15_000, value_parser = clap::value_parser!(u64).range(1..))]
    body_timeout_ms: u64,
    /// Time a reply may wait for the client to read it.
    #[arg(long, value_name = "MS", default_value_t = 15_000, value_parser = clap::value_parser!(u64).range(1..))]
    write_timeout_ms: u64,
    /// Connections served at once; more wait to be accepted.
    #[arg(long, value_name = "N", default_value_t = 512, value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: u32,
    /// Time for requests in flight to finish on SIGINT or SIGTERM.
    #[arg(long, value_name = "MS", default_value_t = 10_000)]
    drain_timeout_ms: u64,
    /// Behind a reverse proxy: the client is the last X-Forwarded-For entry.
    #[arg(long)]
    trust_forwarded_for: bool,
    /// Operator wording for the form: <lang>.json files of message ids and text.
    #[arg(long, value_name = "DIR")]
    messages: Option<PathBuf>,
    /// Where an account that may not create conferences can ask for help (a link)
    #[arg(long, value_name = "URL", value_parser = messages::support_url)]
    support_url: Option<String>,
    /// The numbers callers dial, for the invitations: "+44 20 7946 0000 (UK); +1 415 555 0100"
    #[arg(long, value_name = "NUMBERS", value_parser = messages::dial_in)]
    dial_in: Option<String>,
    /// The switch's time zone (IANA name, e.g. Europe/London), for the calendar file
    #[arg(long, value_name = "ZONE", value_parser = messages::time_zone)]
    time_zone: Option<String>,
    /// Tests only: fault injection and a request log under /_test/.
    #[cfg(feature = "test-hooks")]
    #[arg(long)]
    test_hooks: bool,
    /// Read a password on standard input, print its hash, exit.
    #[arg(long)]
    pub hash_password: bool,
}

/// Who answers `/api/json/`.
enum Backend {
    /// The simulated switch (the default).
    Simulator(Arc<Simulator>),
    /// A real switch, with `--upstream`.
    Upstream(Upstream),
}

/// What every request's handler shares: built by [`app_state`] from the
/// options, handed to [`router`].
pub struct AppState {
    backend: Backend,
    /// `--test-hooks`, in a build with the `test-hooks` feature only.
    #[cfg(feature = "test-hooks")]
    hooks: Option<Arc<faults::TestHooks>>,
    http_status: bool,
    csp: String,
    body_timeout: Duration,
    trust_forwarded_for: bool,
    /// `--messages`: the operator's catalogs.
    messages: Option<Messages>,
    /// The page in each language, with the settings on its form element.
    pages: web::Pages,
}

/// Loads what the options name (accounts, database, catalogs, the built
/// page in each language); an error
/// says which file and what is wrong.
pub fn app_state(options: &Options) -> Result<AppState, String> {
    // The page's settings, as the data-* attributes of its form element.
    let settings: Vec<(&str, &str)> = [
        ("data-support-url", &options.support_url),
        ("data-dial-in", &options.dial_in),
        ("data-time-zone", &options.time_zone),
    ]
    .into_iter()
    .filter_map(|(name, value)| Some((name, value.as_deref()?)))
    .collect();
    let messages = options
        .messages
        .as_deref()
        .map(Messages::load)
        .transpose()?;
    let attributes = messages::attributes(messages.is_some(), &settings);
    let pages = web::Pages::load(&options.dist, &attributes)?;
    let backend = match &options.upstream {
        Some(url) => Backend::Upstream(Upstream::new(url)?),
        None => {
            let accounts = match &options.accounts {
                Some(path) => Accounts::load(path)?,
                None => Accounts::demo(),
            };
            let store = Store::open(&options.data)?;
            let signer = token::Signer::new(store::signing_key(&options.data)?);
            Backend::Simulator(Arc::new(Simulator::new(
                accounts,
                store,
                signer,
                options.token_lifetime,
            )))
        }
    };
    Ok(AppState {
        backend,
        #[cfg(feature = "test-hooks")]
        hooks: options.test_hooks.then(Arc::default),
        http_status: options.http_status,
        csp: web::content_security_policy(&pages, &options.frame_ancestors),
        body_timeout: Duration::from_millis(options.body_timeout_ms),
        trust_forwarded_for: options.trust_forwarded_for,
        messages,
        pages,
    })
}

/// Every route. The API reads the client's address from axum's
/// `ConnectInfo<SocketAddr>`: [`serve`] puts it on each request; an
/// in-process caller adds `MockConnectInfo`.
pub fn router(state: Arc<AppState>, dist: &Path) -> Router {
    let api_route = any(api::handle);
    #[cfg(feature = "test-hooks")]
    let api_route = faults::on_api(api_route, &state);
    let api_route = api_route.layer(from_fn_with_state(state.clone(), api::admit));
    let router = Router::new()
        .route("/api/json/{*function}", api_route)
        // Anything else under /api/ is not the form: no index.html there, so
        // no framing of the sign-in fields through an unguarded path.
        .route("/api", any(api::not_found))
        .route("/api/", any(api::not_found))
        .route("/api/{*rest}", any(api::not_found))
        .route("/messages", any(messages::not_found))
        .route("/messages/", any(messages::not_found))
        .route(
            "/messages/{*file}",
            get(messages::catalog).fallback(messages::not_found),
        );
    #[cfg(feature = "test-hooks")]
    let router = match state.hooks {
        Some(_) => router.merge(faults::routes()),
        None => router,
    };
    let files = web::files(dist, &state);
    #[cfg(feature = "test-hooks")]
    let files = faults::on_files(files, &state);
    router
        .fallback_service(files)
        .layer(from_fn_with_state(state.clone(), web::headers))
        // The same on every reply, whatever the path.
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(CompressionLayer::new())
        .with_state(state)
}

/// Builds the state, binds, prints the address, and serves until SIGINT or
/// SIGTERM.
pub async fn serve(options: Options) -> Result<(), String> {
    let state = Arc::new(app_state(&options)?);
    if state.pages.languages().is_empty() {
        eprintln!(
            "note: {} has no index.html: build the app first (cargo xtask serve does)",
            options.dist.display()
        );
    }
    let listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .map_err(|e| format!("{}: {e}", options.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    match &options.upstream {
        Some(url) => println!("forwarding /api/json/ to {url}"),
        None => {
            println!(
                "simulating an Enswitch switch; data in {}",
                options.data.display()
            );
            if options.accounts.is_none() {
                for (user, what) in accounts::DEMO {
                    println!("  sign in as {user} / {user}: {what}");
                }
            }
        }
    }
    if let (Some(messages), Some(dir)) = (&state.messages, &options.messages) {
        let languages = messages.languages();
        println!(
            "operator wording from {}: {}",
            dir.display(),
            if languages.is_empty() {
                "none yet".to_owned()
            } else {
                languages.join(", ")
            }
        );
    }
    // Tests read this line to find the port: keep it last and flushed.
    println!("listening on http://{addr}/");
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let limits = net::Limits {
        header_timeout: Duration::from_millis(options.header_timeout_ms),
        write_timeout: Duration::from_millis(options.write_timeout_ms),
        max_connections: options.max_connections as usize,
        drain_timeout: Duration::from_millis(options.drain_timeout_ms),
    };
    net::serve(
        listener,
        router(state, &options.dist),
        limits,
        net::shutdown_signal(),
    )
    .await;
    Ok(())
}
