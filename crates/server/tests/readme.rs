//! The README's option list is the server's own `--help`.

#[test]
fn the_readme_lists_the_options_as_help_prints_them() {
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_conference-server"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    // The README shows the default build; one with the test hooks (for the
    // tests) has one option more.
    #[cfg(feature = "test-hooks")]
    let help: String = help
        .split_inclusive('\n')
        .filter(|line| !line.trim_start().starts_with("--test-hooks "))
        .collect();
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let block = format!("```text\n$ conference-server --help\n{help}```");
    assert!(
        readme.contains(&block),
        "README's \"Configure the server\" should show:\n{block}"
    );
}
