//! How long one argon2id password verification takes with Signet's parameters (m=19 MiB, t=2, p=1),
//! on one core: the cost of every password sign-in. `cargo run --release --example argon2_verify`.

use std::time::Instant;

use signet::secrets::{hash_password, verify_password};

fn main() {
    let hash = hash_password("correct horse battery staple").unwrap_or_default();
    let rounds = 50;
    let started = Instant::now();
    let mut ok = 0;
    for _ in 0..rounds {
        ok += usize::from(verify_password("correct horse battery staple", &hash));
    }
    let each = started.elapsed().as_secs_f64() * 1000.0 / f64::from(rounds);
    println!("argon2id verify: {each:.1} ms each, {:.0}/s on one core ({ok}/{rounds} matched)", 1000.0 / each);
}
