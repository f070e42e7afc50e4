//! Issue 14 item 5: a client that writes a whole oversized body before reading
//! must still get its 413 (not a reset), every time.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;

use common::*;

/// Writes the request and all of `body`, then reads the reply: what Python's
/// urllib does. The status line, or the error that came instead.
fn send_then_read(addr: &str, body: &[u8]) -> Result<String, std::io::Error> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(GUARD))?;
    stream.set_write_timeout(Some(GUARD))?;
    let head = format!(
        "POST /api/json/conferences/create/ HTTP/1.1\r\nHost: {addr}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply)?;
    let text = String::from_utf8_lossy(&reply);
    Ok(text.lines().next().unwrap_or("").to_owned())
}

#[test]
fn a_3_mb_body_sent_before_reading_gets_413_200_times_in_a_row() {
    let s = Server::start(&[]);
    let addr = s.base.trim_start_matches("http://").to_owned();
    let body = format!("{DEMO}&code=1&description={}", "a".repeat(3_000_000));
    let mut failures = Vec::new();
    let tries = 200;
    for i in 0..tries {
        match send_then_read(&addr, body.as_bytes()) {
            Ok(line) if line.starts_with("HTTP/1.1 413") => {}
            other => failures.push(format!("try {i}: {other:?}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {tries} got their 413; failures: {:?}",
        tries - failures.len(),
        &failures[..failures.len().min(5)]
    );
}
