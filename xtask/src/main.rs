//! `cargo xtask <command>`: the project's own build and test commands
//! (`cargo xtask --help` lists them).

mod app;
mod browser_bench;
mod fuzz;
mod run;
mod setup;
mod size;
mod tasks;

use std::process::ExitCode;

use clap::builder::PossibleValuesParser;
use clap::{value_parser, Args, Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    bin_name = "cargo xtask",
    about = "The project's own build and test commands"
)]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand, Debug, PartialEq)]
enum Task {
    /// Install everything the build and the tests need (Trunk, wasm-bindgen, Chromium, ...)
    Setup,
    /// Build the app into dist/ (release) and report its size
    Build,
    /// Formatting, lints, native tests, property tests, wasm build, browser tests
    Test,
    /// Build the app and start the server with the simulator
    Serve {
        /// The server's options (`cargo xtask serve -- --help` lists them)
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        server_args: Vec<String>,
    },
    /// Run the benchmarks
    Bench,
    /// Loads of dist/ in headless Chromium: first paint, live form, PIN feedback (medians)
    BrowserBench,
    /// Build the bundle with function names kept and print where its bytes go (twiggy)
    Size,
    /// Fuzz the core: each target N minutes, one after another
    Fuzz(Fuzz),
}

#[derive(Args, Debug, PartialEq)]
#[command(args_conflicts_with_subcommands = true)]
struct Fuzz {
    #[command(subcommand)]
    only: Option<FuzzOnly>,
    /// Minutes per target
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = value_parser!(u32).range(1..))]
    minutes: u32,
    /// The targets to fuzz (all when none is named)
    #[arg(value_name = "TARGET", value_parser = PossibleValuesParser::new(fuzz::TARGETS))]
    targets: Vec<String>,
}

#[derive(Subcommand, Debug, PartialEq)]
enum FuzzOnly {
    /// Each target a few seconds from the committed corpus (as `test` does)
    Smoke,
    /// Generated drafts validated natively and in wasm32, compared (as `test` does)
    Agreement,
}

fn main() -> ExitCode {
    let task = Cli::parse().task;
    match dispatch(task) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch(task: Task) -> anyhow::Result<()> {
    let sh = run::shell()?;
    match task {
        Task::Setup => setup::setup(&sh, setup::Need::Test),
        Task::Build => {
            setup::setup(&sh, setup::Need::Build)?;
            app::build(&sh)?;
            app::budget()
        }
        Task::Test => tasks::test(&sh),
        Task::Serve { server_args } => tasks::serve(&sh, &server_args),
        Task::Bench => tasks::bench(&sh),
        Task::BrowserBench => browser_bench::browser(&sh),
        Task::Size => size::size(&sh),
        Task::Fuzz(Fuzz {
            only,
            minutes,
            targets,
        }) => match only {
            Some(FuzzOnly::Smoke) => fuzz::smoke(&sh),
            Some(FuzzOnly::Agreement) => fuzz::agreement(&sh),
            None => fuzz::long(&sh, minutes, &targets),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::{Cli, Fuzz, FuzzOnly, Parser, Task};
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    fn parse(line: &str) -> Result<Task, clap::Error> {
        Cli::try_parse_from(line.split(' ')).map(|cli| cli.task)
    }

    fn serve(args: &[&str]) -> Task {
        Task::Serve {
            server_args: args.iter().map(|&a| a.to_owned()).collect(),
        }
    }

    #[test]
    fn the_server_gets_its_options_with_or_without_a_double_dash() {
        let expected = serve(&["--listen", "0.0.0.0:8080", "--test-hooks"]);
        assert_eq!(
            parse("xtask serve -- --listen 0.0.0.0:8080 --test-hooks").unwrap(),
            expected
        );
        assert_eq!(
            parse("xtask serve --listen 0.0.0.0:8080 --test-hooks").unwrap(),
            expected
        );
        assert_eq!(parse("xtask serve").unwrap(), serve(&[]));
        assert_eq!(parse("xtask serve -- --help").unwrap(), serve(&["--help"]));
    }

    #[test]
    fn fuzz_takes_minutes_and_targets_or_one_of_its_two_steps() {
        let fuzz = |only, minutes, targets: &[&str]| {
            Task::Fuzz(Fuzz {
                only,
                minutes,
                targets: targets.iter().map(|&t| t.to_owned()).collect(),
            })
        };
        assert_eq!(parse("xtask fuzz").unwrap(), fuzz(None, 10, &[]));
        assert_eq!(
            parse("xtask fuzz --minutes 3 reply validate").unwrap(),
            fuzz(None, 3, &["reply", "validate"])
        );
        assert_eq!(
            parse("xtask fuzz reply --minutes 3").unwrap(),
            fuzz(None, 3, &["reply"])
        );
        assert_eq!(
            parse("xtask fuzz smoke").unwrap(),
            fuzz(Some(FuzzOnly::Smoke), 10, &[])
        );
        assert_eq!(
            parse("xtask fuzz agreement").unwrap(),
            fuzz(Some(FuzzOnly::Agreement), 10, &[])
        );
        for wrong in [
            "xtask fuzz --minutes 0",
            "xtask fuzz --minutes ten",
            "xtask fuzz nosuchtarget",
            "xtask fuzz --minutes 3 smoke",
        ] {
            assert!(parse(wrong).is_err(), "{wrong}");
        }
    }

    #[test]
    fn every_task_has_its_name_and_unknown_ones_are_refused() {
        for (line, task) in [
            ("xtask setup", Task::Setup),
            ("xtask build", Task::Build),
            ("xtask test", Task::Test),
            ("xtask bench", Task::Bench),
            ("xtask browser-bench", Task::BrowserBench),
            ("xtask size", Task::Size),
        ] {
            assert_eq!(parse(line).unwrap(), task);
        }
        assert!(parse("xtask").is_err());
        assert!(parse("xtask deploy").is_err());
        assert!(parse("xtask build --release").is_err());
    }
}
