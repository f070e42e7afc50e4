//! The conference server: hosts the built form, simulates an Enswitch switch
//! on `/api/json/` (or forwards to a real one with `--upstream`).

mod accounts;
mod api;
mod faults;
mod params;
mod simulator;
mod store;
mod token;
mod upstream;
mod web;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::routing::{any, post};
use axum::Router;
use clap::Parser;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};

use crate::accounts::Accounts;
use crate::faults::TestHooks;
use crate::simulator::Simulator;
use crate::store::Store;
use crate::upstream::Upstream;

#[derive(Parser, Debug)]
#[command(
    version,
    about = "Hosts the conference form and simulates an Enswitch switch (or forwards to a real one)."
)]
struct Args {
    /// Address to listen on (port 0 picks a free one; the address is printed).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// The built app (Trunk's output).
    #[arg(long, default_value = "dist")]
    dist: PathBuf,
    /// Where the simulator keeps its database and signing key.
    #[arg(long, default_value = "data")]
    data: PathBuf,
    /// A JSON file of customers, people and users (default: the demo accounts).
    #[arg(long)]
    accounts: Option<PathBuf>,
    /// Forward /api/json/ to this switch (e.g. https://switch.example.com) instead of simulating.
    #[arg(long)]
    upstream: Option<String>,
    /// Who may frame the form (the CSP frame-ancestors value).
    #[arg(long, default_value = "'self'")]
    frame_ancestors: String,
    /// How long a token from user/login lasts, in seconds.
    #[arg(long, default_value_t = 3600)]
    token_lifetime: i64,
    /// Send API results with their code as the HTTP status (the default is always 200).
    #[arg(long)]
    http_status: bool,
    /// Tests only: fault injection and the request log under /_test/.
    #[arg(long)]
    test_hooks: bool,
    /// Print a password hash for an accounts file (reads the password from standard input) and exit.
    #[arg(long)]
    hash_password: bool,
}

pub struct AppState {
    simulator: Option<Arc<Simulator>>,
    upstream: Option<Upstream>,
    hooks: Option<Arc<TestHooks>>,
    http_status: bool,
    csp: String,
}

fn signing_key(data: &std::path::Path) -> Result<Vec<u8>, String> {
    let path = data.join("token.key");
    if let Ok(key) = std::fs::read(&path) {
        if key.len() >= 32 {
            return Ok(key);
        }
    }
    let mut key = vec![0u8; 32];
    getrandom::fill(&mut key).map_err(|e| e.to_string())?;
    std::fs::write(&path, &key).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(key)
}

fn app_state(args: &Args) -> Result<AppState, String> {
    let (simulator, upstream) = match &args.upstream {
        Some(url) => (None, Some(Upstream::new(url)?)),
        None => {
            let accounts = match &args.accounts {
                Some(path) => Accounts::load(path)?,
                None => Accounts::demo(),
            };
            let store = Store::open(&args.data)?;
            let signer = token::Signer::new(signing_key(&args.data)?);
            (
                Some(Arc::new(Simulator::new(
                    accounts,
                    store,
                    signer,
                    args.token_lifetime,
                ))),
                None,
            )
        }
    };
    Ok(AppState {
        simulator,
        upstream,
        hooks: args.test_hooks.then(Arc::default),
        http_status: args.http_status,
        csp: web::content_security_policy(&args.dist, &args.frame_ancestors),
    })
}

fn router(state: Arc<AppState>, dist: &std::path::Path) -> Router {
    // `cargo xtask build` writes each file's `.br` and `.gz` at the highest
    // settings, smaller than compressing on the fly (the wasm: 90 KB, not
    // 108 KB, with brotli); files without them are compressed as they go out.
    let files = ServeDir::new(dist)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(true)
        .fallback(
            ServeFile::new(dist.join("index.html"))
                .precompressed_br()
                .precompressed_gzip(),
        );
    let mut router = Router::new().route("/api/json/{*function}", any(api::handle));
    if state.hooks.is_some() {
        router = router
            .route("/_test/faults", post(test_faults))
            .route("/_test/requests", axum::routing::get(test_requests))
            .route("/_test/reset", post(test_reset));
    }
    router
        .fallback_service(files)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            web::headers,
        ))
        .layer(CompressionLayer::new())
        .with_state(state)
}

type Shared = axum::extract::State<Arc<AppState>>;

/// `POST /_test/faults?kind=slow|500|502|malformed|drop_before|drop_after&count=N&ms=M`
async fn test_faults(
    state: Shared,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
) -> (axum::http::StatusCode, String) {
    let pairs = conference::form::decode(q.unwrap_or_default().as_bytes()).unwrap_or_default();
    let get = |n: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let count = get("count").parse().unwrap_or(1);
    let ms = get("ms").parse().unwrap_or(0);
    match (faults::Fault::parse(get("kind"), ms), &state.hooks) {
        (Some(fault), Some(hooks)) => {
            hooks.inject(fault, count);
            (axum::http::StatusCode::OK, format!("{count} x {fault:?}"))
        }
        _ => (
            axum::http::StatusCode::BAD_REQUEST,
            "kind must be slow, 500, 502, malformed, drop_before or drop_after".into(),
        ),
    }
}

async fn test_requests(state: Shared) -> axum::Json<Vec<faults::Logged>> {
    axum::Json(state.hooks.as_ref().map(|h| h.log()).unwrap_or_default())
}

async fn test_reset(state: Shared) -> &'static str {
    if let Some(h) = &state.hooks {
        h.reset();
    }
    "reset"
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    if args.hash_password {
        let mut line = String::new();
        if std::io::stdin().read_line(&mut line).is_err()
            || line.trim_end_matches(['\r', '\n']).is_empty()
        {
            eprintln!("give the password on standard input");
            return std::process::ExitCode::FAILURE;
        }
        println!(
            "{}",
            accounts::hash_password(line.trim_end_matches(['\r', '\n']))
        );
        return std::process::ExitCode::SUCCESS;
    }
    match serve(args).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("conference-server: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn serve(args: Args) -> Result<(), String> {
    let state = Arc::new(app_state(&args)?);
    if !args.dist.join("index.html").exists() {
        eprintln!(
            "note: {} has no index.html: build the app first (cargo xtask serve does)",
            args.dist.display()
        );
    }
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| format!("{}: {e}", args.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    match &args.upstream {
        Some(url) => println!("forwarding /api/json/ to {url}"),
        None => {
            println!(
                "simulating an Enswitch switch; data in {}",
                args.data.display()
            );
            if args.accounts.is_none() {
                for (user, what) in accounts::DEMO {
                    println!("  sign in as {user} / {user}: {what}");
                }
            }
        }
    }
    // Tests read this line to find the port: keep it last and flushed.
    println!("listening on http://{addr}/");
    use std::io::Write;
    let _ = std::io::stdout().flush();
    axum::serve(listener, router(state, &args.dist))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| e.to_string())
}
