//! The native side of the agreement check: prints the corpus's lines.
//!
//! `agreement-lines COUNT` prints the first COUNT lines; `agreement-lines
//! show INDEX` prints that draft's values, for reading a difference.

use std::io::Write;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |s: Option<&String>| s.and_then(|s| s.parse::<u64>().ok());
    match args.first().map(String::as_str) {
        Some("show") => match number(args.get(1)) {
            Some(index) => println!("{}", agreement::show(index)),
            None => usage(),
        },
        _ => match number(args.first()) {
            Some(count) => {
                let mut out = std::io::stdout().lock();
                out.write_all(agreement::lines(count).as_bytes())
                    .expect("stdout");
            }
            None => usage(),
        },
    }
}

fn usage() {
    eprintln!("usage: agreement-lines COUNT | agreement-lines show INDEX");
    std::process::exit(2);
}
