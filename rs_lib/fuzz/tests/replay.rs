//! Replays, without libFuzzer (plain `cargo test` in rs_lib/fuzz): every
//! input in `regressions/` (crashes once found, kept so they stay fixed), then
//! a few thousand pseudo-random inputs, so the harness itself is tested on
//! any stable toolchain.

use lewd_core_fuzz::run;

#[test]
fn regressions_replay_clean() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/regressions");
    let mut replayed = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|ext| ext == "md") {
            continue;
        }
        run(&std::fs::read(&path).unwrap());
        replayed += 1;
    }
    println!("replayed {replayed} regression inputs");
}

/// 2 000 pseudo-random inputs (xorshift64* from `seed`: deterministic, so a
/// failure replays as it is) through `run`; the operations they ran.
fn random_inputs(seed: u64, run: fn(&[u8]) -> lewd_core_fuzz::Counts) -> u64 {
    let mut state = seed;
    let mut next = || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    let mut operations = 0;
    for _ in 0..2000 {
        let len = (next() % 4096) as usize;
        let data: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        operations += run(&data).operations;
    }
    operations
}

#[test]
fn random_inputs_run_clean() {
    let operations = random_inputs(0x9E37_79B9_7F4A_7C15, run);
    assert!(operations > 100_000, "only {operations} operations");
}

#[test]
fn random_inputs_run_clean_on_the_big_core() {
    let operations = random_inputs(0x2545_F491_4F6C_DD1D, lewd_core_fuzz::big::run);
    assert!(operations > 100_000, "only {operations} operations");
}
