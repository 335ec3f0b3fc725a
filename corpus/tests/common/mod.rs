//! Helpers shared by the lint integration tests.

/// The JSON examples of one section of docs/lint-checks.md.
pub fn examples(id: &str) -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/lint-checks.md");
    let text = std::fs::read_to_string(path).unwrap();
    let start = text.find(&format!("### `{id}`\n")).unwrap();
    let rest = &text[start + 4..];
    let section = &rest[..rest.find("\n### ").unwrap_or(rest.len())];
    section
        .split("```json")
        .skip(1)
        .map(|block| block[block.find('\n').unwrap() + 1..block.find("```").unwrap()].to_owned())
        .collect()
}
