//! The shape README's architecture section promises, checked on every run: layers import only
//! downwards, no files import each other in a circle, and no function is over 80 lines
//! (`scripts/architecture.py` says exactly what it counts).

#[test]
fn dependencies_point_one_way_without_cycles_and_functions_stay_short() {
    let python = std::env::var("SIGNET_TEST_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let output = std::process::Command::new(python)
        .arg("scripts/architecture.py")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("python runs");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{report}{}", String::from_utf8_lossy(&output.stderr));
    assert!(report.trim_end().ends_with(", 0 finding(s)"), "{report}");
}
