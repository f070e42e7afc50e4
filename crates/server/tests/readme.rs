//! The README's option list is the server's own `--help`.

#[test]
fn the_readme_lists_the_options_as_help_prints_them() {
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_conference-server"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let block = format!("```text\n$ conference-server --help\n{help}```");
    assert!(
        readme.contains(&block),
        "README's \"Configure the server\" should show:\n{block}"
    );
}
