;; xoshiro128** (Blackman & Vigna, 2018) for LEWD Alloc: the PRNG of the
;; README's walkthrough, hand-written.
;;
;; The module owns no memory and no data: it imports the allocator's memory
;; and the address of a 1 KiB table, and every generator is 16 bytes of state
;; (four u32 words, s0..s3) at an address the JS side allocated (`$self`).
;;
;; The table: 256 random words, written once by `init`. `seed` hashes its argument
;; through it (tabulation hashing, see `$hash`) to spread 32 bits of seed over
;; 128 bits of state. xoshiro itself needs no table; this one is here because
;; the README's walkthrough has one, and it is a real use of the pattern: data
;; computed once at startup, shared by every generator, kept across `trim()`
;; (the respawn callback must not run `init` again).
;;
;; Build: `deno task build:examples` (scripts/build_examples.ts).

(module
  ;; The memory of at least 1 page (LEWD's `mem`):
  (memory (import "env" "mem") 1)

  ;; The table address (1024 bytes, 16-aligned, from `alloc(1024, …)`):
  (global $tab (import "env" "tab") i32)

  ;; murmur3's 32-bit finalizer, the output function of splitmix32.
  (func $fmix32 (param $z i32) (result i32)
    (local.set $z
      (i32.mul
        (i32.xor (local.get $z) (i32.shr_u (local.get $z) (i32.const 16)))
        (i32.const 0x85ebca6b)))
    (local.set $z
      (i32.mul
        (i32.xor (local.get $z) (i32.shr_u (local.get $z) (i32.const 13)))
        (i32.const 0xc2b2ae35)))
    (i32.xor (local.get $z) (i32.shr_u (local.get $z) (i32.const 16))))

  ;; tab[byte]: one table word.
  (func $word (param $byte i32) (result i32)
    (i32.load
      (i32.add (global.get $tab) (i32.shl (local.get $byte) (i32.const 2)))))

  ;; Tabulation hash of `$x`: each of its bytes picks a table word, rotated by
  ;; the byte's position so that equal bytes at different positions differ,
  ;; and the four words are XORed together.
  (func $hash (param $x i32) (result i32)
    (i32.xor
      (i32.xor
        (call $word (i32.and (local.get $x) (i32.const 255)))
        (i32.rotl
          (call $word
            (i32.and (i32.shr_u (local.get $x) (i32.const 8)) (i32.const 255)))
          (i32.const 8)))
      (i32.xor
        (i32.rotl
          (call $word
            (i32.and (i32.shr_u (local.get $x) (i32.const 16)) (i32.const 255)))
          (i32.const 16))
        (i32.rotl
          (call $word (i32.shr_u (local.get $x) (i32.const 24)))
          (i32.const 24)))))

  ;; Fill the table: tab[k] = fmix32((k + 1) * 0x9e3779b9), k = 0..255 (the
  ;; first 256 outputs of splitmix32 started at 0).
  (func (export "init")
    (local $k i32)
    (loop $next
      (i32.store
        (i32.add (global.get $tab) (i32.shl (local.get $k) (i32.const 2)))
        (call $fmix32
          (i32.mul
            (i32.add (local.get $k) (i32.const 1))
            (i32.const 0x9e3779b9))))
      (br_if $next
        (i32.ne
          (local.tee $k (i32.add (local.get $k) (i32.const 1)))
          (i32.const 256)))))

  ;; Seed the generator at `$self`: s[i] = hash(seed + (i + 1) * 0x9e3779b9),
  ;; i = 0..3 (splitmix32's Weyl sequence, hashed through the table). The
  ;; all-zero state is a fixed point of xoshiro, so it becomes s0 = 1.
  (func (export "seed") (param $self i32) (param $seed i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $self) (i32.const 16)))
    (loop $next
      (i32.store (local.get $self)
        (call $hash
          (local.tee $seed (i32.add (local.get $seed) (i32.const 0x9e3779b9)))))
      (br_if $next
        (i32.ne
          (local.tee $self (i32.add (local.get $self) (i32.const 4)))
          (local.get $end))))
    (local.set $self (i32.sub (local.get $self) (i32.const 16)))
    (if (i64.eqz (i64.or
          (i64.load (local.get $self))
          (i64.load offset=8 (local.get $self))))
      (then (i32.store (local.get $self) (i32.const 1)))))

  ;; One step of xoshiro128** at `$self`: returns rotl(s1 * 5, 7) * 9.
  (func $rand (export "rand") (param $self i32) (result i32)
    (local $s0 i32) (local $s1 i32) (local $s2 i32) (local $s3 i32)
    (local.set $s0 (i32.load (local.get $self)))
    (local.set $s1 (i32.load offset=4 (local.get $self)))
    (local.set $s2 (i32.xor (i32.load offset=8 (local.get $self)) (local.get $s0)))
    (local.set $s3 (i32.xor (i32.load offset=12 (local.get $self)) (local.get $s1)))
    (i32.store (local.get $self) (i32.xor (local.get $s0) (local.get $s3)))
    (i32.store offset=4 (local.get $self) (i32.xor (local.get $s1) (local.get $s2)))
    (i32.store offset=8 (local.get $self)
      (i32.xor (local.get $s2) (i32.shl (local.get $s1) (i32.const 9))))
    (i32.store offset=12 (local.get $self) (i32.rotl (local.get $s3) (i32.const 11)))
    (i32.mul
      (i32.rotl (i32.mul (local.get $s1) (i32.const 5)) (i32.const 7))
      (i32.const 9)))

  ;; Write successive rand() values to `$out`: `$len` bytes, rounded down to
  ;; a multiple of 4 (so nothing past `$out + $len` is ever written).
  (func (export "fill") (param $self i32) (param $out i32) (param $len i32)
    (local.set $len (i32.and (local.get $len) (i32.const -4)))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $len)))
        (i32.store (local.get $out) (call $rand (local.get $self)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (local.set $len (i32.sub (local.get $len) (i32.const 4)))
        (br $next)))))
