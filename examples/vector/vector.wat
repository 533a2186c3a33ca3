;; A growable vector of i32 that allocates from the WASM side: it links no
;; allocator and imports LEWD Alloc's `env.malloc`, `env.realloc` and
;; `env.free` instead (`imports` in mod.ts). Its storage is strong: it stays
;; until `destroy` frees it.
;;
;; A vector is a 12-byte header in its own allocation:
;;   +0 data: address of the elements (0 until the first push)
;;   +4 len:  elements in use
;;   +8 cap:  elements the data has room for
;; No data segments and no mutable globals: every instance over the same
;; memory sees the same vectors, so a respawn after `trim` is a plain
;; re-instantiation.
(module
  (import "env" "mem" (memory 1))
  (import "env" "malloc" (func $malloc (param i32) (result i32)))
  (import "env" "realloc" (func $realloc (param i32 i32) (result i32)))
  (import "env" "free" (func $free (param i32)))

  ;; A new, empty vector; 0 when out of memory.
  (func (export "create") (result i32)
    (local $v i32)
    (local.set $v (call $malloc (i32.const 12)))
    (if (local.get $v)
      (then
        (i32.store (local.get $v) (i32.const 0))
        (i32.store offset=4 (local.get $v) (i32.const 0))
        (i32.store offset=8 (local.get $v) (i32.const 0))))
    (local.get $v))

  ;; Appends $x, doubling the room when full (realloc keeps the elements,
  ;; in place when it can); 1, or 0 when out of memory (nothing changed).
  (func (export "push") (param $v i32) (param $x i32) (result i32)
    (local $len i32) (local $cap i32) (local $data i32)
    (local.set $len (i32.load offset=4 (local.get $v)))
    (local.set $cap (i32.load offset=8 (local.get $v)))
    (local.set $data (i32.load (local.get $v)))
    (if (i32.eq (local.get $len) (local.get $cap))
      (then
        (local.set $cap
          (select
            (i32.shl (local.get $cap) (i32.const 1))
            (i32.const 4)
            (local.get $cap)))
        (local.set $data
          (call $realloc (local.get $data) (i32.shl (local.get $cap) (i32.const 2))))
        (if (i32.eqz (local.get $data)) (then (return (i32.const 0))))
        (i32.store (local.get $v) (local.get $data))
        (i32.store offset=8 (local.get $v) (local.get $cap))))
    (i32.store
      (i32.add (local.get $data) (i32.shl (local.get $len) (i32.const 2)))
      (local.get $x))
    (i32.store offset=4 (local.get $v) (i32.add (local.get $len) (i32.const 1)))
    (i32.const 1))

  ;; Elements in use.
  (func (export "len") (param $v i32) (result i32)
    (i32.load offset=4 (local.get $v)))

  ;; The element at $i (unchecked).
  (func (export "get") (param $v i32) (param $i i32) (result i32)
    (i32.load
      (i32.add
        (i32.load (local.get $v))
        (i32.shl (local.get $i) (i32.const 2)))))

  ;; The sum of the elements, wrapping.
  (func (export "sum") (param $v i32) (result i32)
    (local $at i32) (local $end i32) (local $sum i32)
    (local.set $at (i32.load (local.get $v)))
    (local.set $end
      (i32.add
        (local.get $at)
        (i32.shl (i32.load offset=4 (local.get $v)) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $sum (i32.add (local.get $sum) (i32.load (local.get $at))))
        (local.set $at (i32.add (local.get $at) (i32.const 4)))
        (br $next)))
    (local.get $sum))

  ;; Frees the elements and the header (free(0) does nothing).
  (func (export "destroy") (param $v i32)
    (call $free (i32.load (local.get $v)))
    (call $free (local.get $v))))
