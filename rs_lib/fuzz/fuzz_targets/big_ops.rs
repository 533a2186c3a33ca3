//! libFuzzer target: random operation sequences through the big core against its
//! model (see `src/big.rs`). Prints the operation count when the process ends
//! (or panics), so `scripts/fuzz.sh` can report it.
#![no_main]

use libfuzzer_sys::fuzz_target;

extern "C" {
    fn atexit(callback: extern "C" fn()) -> i32;
}

extern "C" fn report() {
    eprintln!("{}", lewd_core_fuzz::report());
}

fuzz_target!(
    init: {
        // SAFETY: `report` is a plain `extern "C" fn` that lives for the
        // whole process; libFuzzer ends with `exit`, which runs it.
        unsafe { atexit(report) };
        // After a panic libFuzzer aborts at once (no `exit`): report first.
        let abort = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            report();
            abort(info);
        }));
    },
    |data: &[u8]| {
        lewd_core_fuzz::big::run(data);
    }
);
