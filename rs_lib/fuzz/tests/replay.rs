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

#[test]
fn random_inputs_run_clean() {
    // xorshift64*: deterministic, so a failure here replays as it is.
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
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
    assert!(operations > 100_000, "only {operations} operations");
}

#[test]
fn random_inputs_run_clean_on_the_big_core() {
    // The same generator, another seed.
    let mut state = 0x2545_F491_4F6C_DD1Du64;
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
        operations += lewd_core_fuzz::big::run(&data).operations;
    }
    assert!(operations > 100_000, "only {operations} operations");
}
