//! Parses the options and serves; everything else is in the library.

use clap::Parser;
use conference_server::{hash_password, serve, Options};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let options = Options::parse();
    if options.hash_password {
        let mut line = String::new();
        let _ = std::io::stdin().read_line(&mut line);
        let password = line.trim_end_matches(['\r', '\n']);
        if password.is_empty() {
            eprintln!("give the password on standard input");
            return std::process::ExitCode::FAILURE;
        }
        return match hash_password(password) {
            Ok(hash) => {
                println!("{hash}");
                std::process::ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("{e}");
                std::process::ExitCode::FAILURE
            }
        };
    }
    // One line per API request on standard error, no colours (journald and
    // container logs keep escape codes as they are).
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_target(false)
        .with_max_level(tracing::Level::INFO)
        .init();
    match serve(options).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("conference-server: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
