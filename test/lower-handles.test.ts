// The output's one handle table, as a component instance has: the program's own resources (slot
// value = rep) and the host's resources of the program's custom interfaces (value = the host's
// handle, owned by the program or lent to it for one export call) share it. The host below numbers
// its handles from 100, so a handle that crosses untranslated is visible (it throws, naming it);
// the program sees the table's indices (1, 2, ...; freed slots reused last-in first-out).
import { WASI } from '@bjorn3/browser_wasi_shim';
import { beforeAll, describe, expect, test } from 'vitest';
import { lower } from '../src/lower/index.js';
import { wat } from './helpers/wat.js';

const API = 'my:host/api';
const T = 'my:test/t';
const THINGS = 'my:test/things';
const USER = 'my:host/user';
/** Borrows `wide` takes: 17 flat values, one past MAX_FLAT_PARAMS, so they are passed in memory. */
const WIDE = 17;

/**
 * The host's interface `my:host/api`: resources r and s, and functions moving them.
 * The program's exports (`my:test/t`) are thin core functions over those imports that take and
 * return the program's handle numbers as u32 (so tests see them), plus exports taking and returning
 * own/borrow<r>. `my:test/things` exports the component's own resource `thing` (rep i32, a dtor
 * that counts and sums the reps it gets).
 */
const COMPONENT = `(component
  (type $api-t (instance
    (export "r" (type $r (sub resource)))
    (export "s" (type $s (sub resource)))
    (type $own-r (own $r))
    (type $borrow-r (borrow $r))
    (type $own-s (own $s))
    (type $borrows (list $borrow-r))
    (type $pair (tuple $own-r $own-r))
    (type $pick-v0 (variant (case "n" u64) (case "h" $borrow-r)))
    (export "pick-v" (type $pick-v (eq $pick-v0)))
    (type $try-r (result $own-r (error u32)))
    (type $owns (list $own-r))
    (export "make-list" (func (param "n" u32) (result $owns)))
    (export "consume-all" (func (param "xs" $owns) (result u32)))
    (export "lend-give" (func (param "a" $borrow-r) (param "b" $own-r) (result u32)))
    (export "make" (func (param "v" u32) (result $own-r)))
    (export "make-s" (func (result $own-s)))
    (export "make-pair" (func (param "a" u32) (param "b" u32) (result $pair)))
    (export "[method]r.get" (func (param "self" $borrow-r) (result u32)))
    (export "consume" (func (param "x" $own-r) (result u32)))
    (export "sum" (func (param "xs" $borrows) (result u32)))
    (export "pick" (func (param "x" $pick-v) (result u32)))
    (export "try-make" (func (param "v" u32) (result $try-r)))
    (export "wide" (func ${Array.from({ length: WIDE }, (_, i) => `(param "b${i}" $borrow-r)`).join(' ')} (result u32)))
  ))
  (import "${API}" (instance $api (type $api-t)))
  (alias export $api "r" (type $r))
  (alias export $api "s" (type $s))
  (alias export $api "make" (func $make))
  (alias export $api "make-s" (func $make-s))
  (alias export $api "make-pair" (func $make-pair))
  (alias export $api "[method]r.get" (func $get))
  (alias export $api "consume" (func $consume))
  (alias export $api "sum" (func $sum))
  (alias export $api "wide" (func $wide))
  (alias export $api "pick" (func $pick))
  (alias export $api "try-make" (func $try-make))
  (alias export $api "make-list" (func $make-list))
  (alias export $api "consume-all" (func $consume-all))
  (alias export $api "lend-give" (func $lend-give))
  ;; a second interface that uses api's r (as wit-component writes a \`use\`)
  (type $user-t (instance
    (alias outer 1 $r (type $r-outer))
    (export "r" (type $r-used (eq $r-outer)))
    (type $borrow-used (borrow $r-used))
    (export "peek" (func (param "x" $borrow-used) (result u32)))))
  (import "${USER}" (instance $user (type $user-t)))
  (alias export $user "peek" (func $user-peek))

  (core module $Mem
    (memory (export "memory") 1)
    (global $next (mut i32) (i32.const 32768))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) (local $p i32)
      (local.set $p (i32.and (i32.add (global.get $next) (i32.sub (local.get 2) (i32.const 1))) (i32.sub (i32.const 0) (local.get 2))))
      (global.set $next (i32.add (local.get $p) (local.get 3)))
      (local.get $p)))
  (core instance $mem (instantiate $Mem))
  (alias core export $mem "memory" (core memory $memory))
  (alias core export $mem "realloc" (core func $realloc))

  (core module $Dtor
    (global $count (mut i32) (i32.const 0))
    (global $sum (mut i32) (i32.const 0))
    (func (export "dtor") (param i32)
      (global.set $count (i32.add (global.get $count) (i32.const 1)))
      (global.set $sum (i32.add (global.get $sum) (local.get 0))))
    (func (export "count") (result i32) (global.get $count))
    (func (export "sum") (result i32) (global.get $sum)))
  (core instance $dtor (instantiate $Dtor))
  (alias core export $dtor "dtor" (core func $dtor-fn))
  (type $thing (resource (rep i32) (dtor (core func $dtor-fn))))

  (core func $make-l (canon lower (func $make)))
  (core func $make-s-l (canon lower (func $make-s)))
  (core func $make-pair-l (canon lower (func $make-pair) (memory $memory)))
  (core func $get-l (canon lower (func $get)))
  (core func $consume-l (canon lower (func $consume)))
  (core func $sum-l (canon lower (func $sum) (memory $memory)))
  (core func $wide-l (canon lower (func $wide) (memory $memory)))
  (core func $pick-l (canon lower (func $pick)))
  (core func $try-make-l (canon lower (func $try-make) (memory $memory)))
  (core func $make-list-l (canon lower (func $make-list) (memory $memory) (realloc $realloc)))
  (core func $consume-all-l (canon lower (func $consume-all) (memory $memory)))
  (core func $user-peek-l (canon lower (func $user-peek)))
  (core func $lend-give-l (canon lower (func $lend-give)))
  (core func $drop-r (canon resource.drop $r))
  (core func $drop-s (canon resource.drop $s))
  (core func $thing-new (canon resource.new $thing))
  (core func $thing-rep (canon resource.rep $thing))
  (core func $thing-drop (canon resource.drop $thing))
  (core instance $api-core
    (export "make" (func $make-l)) (export "make-s" (func $make-s-l)) (export "make-pair" (func $make-pair-l))
    (export "get" (func $get-l)) (export "consume" (func $consume-l)) (export "sum" (func $sum-l)) (export "wide" (func $wide-l))
    (export "pick" (func $pick-l)) (export "try-make" (func $try-make-l))
    (export "make-list" (func $make-list-l)) (export "consume-all" (func $consume-all-l)) (export "user-peek" (func $user-peek-l))
    (export "lend-give" (func $lend-give-l))
    (export "drop-r" (func $drop-r)) (export "drop-s" (func $drop-s)))
  (core instance $own-core (export "new" (func $thing-new)) (export "rep" (func $thing-rep)) (export "drop" (func $thing-drop)))

  (core module $Main
    (import "env" "memory" (memory 1))
    (import "api" "make" (func $make (param i32) (result i32)))
    (import "api" "make-s" (func $make-s (result i32)))
    (import "api" "make-pair" (func $make-pair (param i32 i32 i32)))
    (import "api" "get" (func $get (param i32) (result i32)))
    (import "api" "consume" (func $consume (param i32) (result i32)))
    (import "api" "sum" (func $sum (param i32 i32) (result i32)))
    (import "api" "wide" (func $wide (param i32) (result i32)))
    (import "api" "drop-r" (func $drop-r (param i32)))
    (import "api" "pick" (func $pick (param i32 i64) (result i32)))
    (import "api" "try-make" (func $try-make (param i32 i32)))
    (import "api" "make-list" (func $make-list (param i32 i32)))
    (import "api" "consume-all" (func $consume-all (param i32 i32) (result i32)))
    (import "api" "user-peek" (func $user-peek (param i32) (result i32)))
    (import "api" "lend-give" (func $lend-give (param i32 i32) (result i32)))
    (import "api" "drop-s" (func $drop-s (param i32)))
    (import "own" "new" (func $thing-new (param i32) (result i32)))
    (import "own" "rep" (func $thing-rep (param i32) (result i32)))
    (import "own" "drop" (func $thing-drop (param i32)))
    (func (export "make") (param i32) (result i32) (call $make (local.get 0)))
    (func (export "make-s") (result i32) (call $make-s))
    ;; the two handles of the pair, packed: first | second << 16
    (func (export "pair") (param i32 i32) (result i32)
      (call $make-pair (local.get 0) (local.get 1) (i32.const 3072))
      (i32.or (i32.load (i32.const 3072)) (i32.shl (i32.load (i32.const 3076)) (i32.const 16))))
    (func (export "get") (param i32) (result i32) (call $get (local.get 0)))
    (func (export "consume") (param i32) (result i32) (call $consume (local.get 0)))
    (func (export "drop-r") (param i32) (call $drop-r (local.get 0)))
    (func (export "drop-s") (param i32) (call $drop-s (local.get 0)))
    ;; lends [a, b, c] (at 1024) to sum; -1 unless the list holds a, b, c again after the call
    (func (export "sum3") (param $a i32) (param $b i32) (param $c i32) (result i32) (local $r i32)
      (i32.store (i32.const 1024) (local.get $a))
      (i32.store (i32.const 1028) (local.get $b))
      (i32.store (i32.const 1032) (local.get $c))
      (local.set $r (call $sum (i32.const 1024) (i32.const 3)))
      (if (i32.ne (i32.load (i32.const 1024)) (local.get $a)) (then (return (i32.const -1))))
      (if (i32.ne (i32.load (i32.const 1028)) (local.get $b)) (then (return (i32.const -1))))
      (if (i32.ne (i32.load (i32.const 1032)) (local.get $c)) (then (return (i32.const -1))))
      (local.get $r))
    (func (export "pick") (param i32 i32) (result i32) (call $pick (local.get 0) (i64.extend_i32_u (local.get 1))))
    ;; result<own<r>, u32>: discriminant << 16 | payload
    (func (export "try-make") (param i32) (result i32)
      (i64.store (i32.const 3200) (i64.const -1))
      (call $try-make (local.get 0) (i32.const 3200))
      (i32.or (i32.shl (i32.load8_u (i32.const 3200)) (i32.const 16)) (i32.load (i32.const 3204))))
    ;; list<own<r>> from the host: the address of its (ptr, len)
    (func (export "make-list") (param i32) (result i32) (call $make-list (local.get 0) (i32.const 3500)) (i32.const 3500))
    ;; gives the n handles first, first + 1, ... (a list at 5120) to the host
    (func (export "consume-all") (param $first i32) (param $n i32) (result i32) (local $i i32)
      (block $done (loop $fill
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (i32.store (i32.add (i32.const 5120) (i32.shl (local.get $i) (i32.const 2))) (i32.add (local.get $first) (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $fill)))
      (call $consume-all (i32.const 5120) (local.get $n)))
    (func (export "user-peek") (param i32) (result i32) (call $user-peek (local.get 0)))
    (func (export "lend-give") (param i32 i32) (result i32) (call $lend-give (local.get 0) (local.get 1)))
    ;; lends the n handles first, first + 1, ... (a list at 4096); -1 unless they are back after the call
    (func (export "sum-n") (param $first i32) (param $n i32) (result i32) (local $i i32) (local $r i32)
      (block $done (loop $fill
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (i32.store (i32.add (i32.const 4096) (i32.shl (local.get $i) (i32.const 2))) (i32.add (local.get $first) (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $fill)))
      (local.set $r (call $sum (i32.const 4096) (local.get $n)))
      (local.set $i (i32.const 0))
      (block $done (loop $check
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (if (i32.ne (i32.load (i32.add (i32.const 4096) (i32.shl (local.get $i) (i32.const 2)))) (i32.add (local.get $first) (local.get $i)))
          (then (return (i32.const -1))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $check)))
      (local.get $r))
    ;; lends ${WIDE} borrows in memory (at 2048: a at even positions, b at odd); -1 unless they are back after the call
    (func (export "wide") (param $a i32) (param $b i32) (result i32) (local $i i32) (local $r i32)
      (block $done (loop $fill
        (br_if $done (i32.ge_u (local.get $i) (i32.const ${WIDE})))
        (i32.store (i32.add (i32.const 2048) (i32.shl (local.get $i) (i32.const 2)))
          (select (local.get $b) (local.get $a) (i32.and (local.get $i) (i32.const 1))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $fill)))
      (local.set $r (call $wide (i32.const 2048)))
      (local.set $i (i32.const 0))
      (block $done (loop $check
        (br_if $done (i32.ge_u (local.get $i) (i32.const ${WIDE})))
        (if (i32.ne (i32.load (i32.add (i32.const 2048) (i32.shl (local.get $i) (i32.const 2))))
              (select (local.get $b) (local.get $a) (i32.and (local.get $i) (i32.const 1))))
          (then (return (i32.const -1))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $check)))
      (local.get $r))
    ;; exports of host resources: the handle the program got
    (func (export "keep") (param i32) (result i32) (local.get 0))
    ;; reads a lent r through the host, then ends the loan
    (func (export "peek") (param i32) (result i32) (local $v i32)
      (local.set $v (call $get (local.get 0)))
      (call $drop-r (local.get 0))
      (local.get $v))
    (func (export "peek-drop") (param i32) (call $drop-r (local.get 0)))
    (func (export "peek-consume") (param i32) (result i32) (call $consume (local.get 0)))
    (func (export "roundtrip") (param i32) (result i32) (local.get 0))
    (func (export "give") (param i32) (result i32) (call $make (local.get 0)))
    ;; tuple<own<r>, own<r>> returned in memory
    (func (export "give-pair") (param i32 i32) (result i32)
      (i32.store (i32.const 3300) (call $make (local.get 0)))
      (i32.store (i32.const 3304) (call $make (local.get 1)))
      (i32.const 3300))
    ;; list<own<r>> of n new r's (values 1..n) returned in memory: (ptr, len) at 3600, elements at 5632
    (func (export "give-list") (param $n i32) (result i32) (local $i i32)
      (block $done (loop $fill
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (i32.store (i32.add (i32.const 5632) (i32.shl (local.get $i) (i32.const 2))) (call $make (i32.add (local.get $i) (i32.const 1))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $fill)))
      (i32.store (i32.const 3600) (i32.const 5632))
      (i32.store (i32.const 3604) (local.get $n))
      (i32.const 3600))
    ;; ${WIDE} borrows lent in memory (the params spilled): each one's value times its position + 1, each loan ended
    (func (export "wide-in") (param $p i32) (result i32) (local $i i32) (local $h i32) (local $r i32)
      (block $done (loop $each
        (br_if $done (i32.ge_u (local.get $i) (i32.const ${WIDE})))
        (local.set $h (i32.load (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $r (i32.add (local.get $r) (i32.mul (call $get (local.get $h)) (i32.add (local.get $i) (i32.const 1)))))
        (call $drop-r (local.get $h))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each)))
      (local.get $r))
    (func (export "lend-back") (param i32) (result i32) (local.get 0))
    ;; returns without dropping the borrow it was lent
    (func (export "peek-keep") (param i32) (result i32) (local.get 0))
    ;; the component's own resource
    (func (export "new-thing") (param i32) (result i32) (call $thing-new (local.get 0)))
    (func (export "thing-rep") (param i32) (result i32) (call $thing-rep (local.get 0)))
    (func (export "thing-drop") (param i32) (call $thing-drop (local.get 0)))
    (func (export "rep-of") (param i32) (result i32) (local.get 0))
    ;; sum of rep * w over list<entry { t: borrow<thing>, w: u32 }> (8-byte records)
    (func (export "total") (param $p i32) (param $n i32) (result i32) (local $r i32)
      (block $done (loop $each
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $r (i32.add (local.get $r) (i32.mul (i32.load (local.get $p)) (i32.load offset=4 (local.get $p)))))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $each)))
      (local.get $r)))
  (core instance $main (instantiate $Main (with "env" (instance $mem)) (with "api" (instance $api-core)) (with "own" (instance $own-core))))

  (type $u32-u32 (func (param "h" u32) (result u32)))
  (type $u32 (func (result u32)))
  (type $u32-unit (func (param "h" u32)))
  (type $u32x2-u32 (func (param "a" u32) (param "b" u32) (result u32)))
  (type $u32x3-u32 (func (param "a" u32) (param "b" u32) (param "c" u32) (result u32)))
  (type $own-r (own $r))
  (type $borrow-r (borrow $r))
  (type $take-own (func (param "x" $own-r) (result u32)))
  (type $take-borrow (func (param "x" $borrow-r) (result u32)))
  (type $take-borrow-unit (func (param "x" $borrow-r)))
  (type $own-own (func (param "x" $own-r) (result $own-r)))
  (type $give-own (func (param "v" u32) (result $own-r)))
  (type $pair-r (tuple $own-r $own-r))
  (type $give-pair-t (func (param "a" u32) (param "b" u32) (result $pair-r)))
  (type $owns-r (list $own-r))
  (type $give-list-t (func (param "n" u32) (result $owns-r)))
  (type $wide-in-t (func ${Array.from({ length: WIDE }, (_, i) => `(param "b${i}" $borrow-r)`).join(' ')} (result u32)))
  (type $lend-back-t (func (param "x" $borrow-r) (result $own-r)))
  (func $e-make (type $u32-u32) (canon lift (core func $main "make")))
  (func $e-make-s (type $u32) (canon lift (core func $main "make-s")))
  (func $e-pair (type $u32x2-u32) (canon lift (core func $main "pair")))
  (func $e-get (type $u32-u32) (canon lift (core func $main "get")))
  (func $e-consume (type $u32-u32) (canon lift (core func $main "consume")))
  (func $e-drop-r (type $u32-unit) (canon lift (core func $main "drop-r")))
  (func $e-drop-s (type $u32-unit) (canon lift (core func $main "drop-s")))
  (func $e-sum3 (type $u32x3-u32) (canon lift (core func $main "sum3")))
  (func $e-wide (type $u32x2-u32) (canon lift (core func $main "wide")))
  (func $e-keep (type $take-own) (canon lift (core func $main "keep")))
  (func $e-peek (type $take-borrow) (canon lift (core func $main "peek")))
  (func $e-peek-drop (type $take-borrow-unit) (canon lift (core func $main "peek-drop")))
  (func $e-peek-consume (type $take-borrow) (canon lift (core func $main "peek-consume")))
  (func $e-roundtrip (type $own-own) (canon lift (core func $main "roundtrip")))
  (func $e-give (type $give-own) (canon lift (core func $main "give")))
  (func $e-give-pair (type $give-pair-t) (canon lift (core func $main "give-pair") (memory $memory)))
  (func $e-give-list (type $give-list-t) (canon lift (core func $main "give-list") (memory $memory)))
  (func $e-wide-in (type $wide-in-t) (canon lift (core func $main "wide-in") (memory $memory) (realloc $realloc)))
  (func $e-make-list (type $u32-u32) (canon lift (core func $main "make-list")))
  (func $e-consume-all (type $u32x2-u32) (canon lift (core func $main "consume-all")))
  (func $e-user-peek (type $u32-u32) (canon lift (core func $main "user-peek")))
  (func $e-lend-give (type $u32x2-u32) (canon lift (core func $main "lend-give")))
  (func $e-lend-back (type $lend-back-t) (canon lift (core func $main "lend-back")))
  (func $e-peek-keep (type $take-borrow) (canon lift (core func $main "peek-keep")))
  (func $e-pick (type $u32x2-u32) (canon lift (core func $main "pick")))
  (func $e-try-make (type $u32-u32) (canon lift (core func $main "try-make")))
  (func $e-sum-n (type $u32x2-u32) (canon lift (core func $main "sum-n")))
  (func $e-new-thing (type $u32-u32) (canon lift (core func $main "new-thing")))
  (func $e-thing-rep (type $u32-u32) (canon lift (core func $main "thing-rep")))
  (func $e-thing-drop (type $u32-unit) (canon lift (core func $main "thing-drop")))
  (func $e-dtor-count (type $u32) (canon lift (core func $dtor "count")))
  (func $e-dtor-sum (type $u32) (canon lift (core func $dtor "sum")))
  (instance $t
    (export "make" (func $e-make)) (export "make-s" (func $e-make-s)) (export "pair" (func $e-pair))
    (export "get" (func $e-get)) (export "consume" (func $e-consume))
    (export "drop-r" (func $e-drop-r)) (export "drop-s" (func $e-drop-s))
    (export "sum3" (func $e-sum3)) (export "wide" (func $e-wide))
    (export "keep" (func $e-keep)) (export "peek" (func $e-peek)) (export "peek-drop" (func $e-peek-drop))
    (export "peek-consume" (func $e-peek-consume)) (export "roundtrip" (func $e-roundtrip)) (export "give" (func $e-give))
    (export "give-pair" (func $e-give-pair)) (export "lend-back" (func $e-lend-back)) (export "peek-keep" (func $e-peek-keep))
    (export "give-list" (func $e-give-list)) (export "wide-in" (func $e-wide-in))
    (export "make-list" (func $e-make-list)) (export "consume-all" (func $e-consume-all)) (export "user-peek" (func $e-user-peek))
    (export "lend-give" (func $e-lend-give))
    (export "pick" (func $e-pick)) (export "try-make" (func $e-try-make)) (export "sum-n" (func $e-sum-n))
    (export "new-thing" (func $e-new-thing)) (export "thing-rep" (func $e-thing-rep)) (export "thing-drop" (func $e-thing-drop))
    (export "dtor-count" (func $e-dtor-count)) (export "dtor-sum" (func $e-dtor-sum)))
  (export "${T}" (instance $t))

  (type $own-thing (own $thing))
  (type $borrow-thing (borrow $thing))
  (type $entry (record (field "t" $borrow-thing) (field "w" u32)))
  (type $entries (list $entry))
  (type $make-thing-t (func (param "v" u32) (result $own-thing)))
  (type $rep-of-t (func (param "x" $borrow-thing) (result u32)))
  (type $total-t (func (param "xs" $entries) (result u32)))
  (func $e-make-thing (type $make-thing-t) (canon lift (core func $main "new-thing")))
  (func $e-rep-of (type $rep-of-t) (canon lift (core func $main "rep-of")))
  (func $e-total (type $total-t) (canon lift (core func $main "total") (memory $memory) (realloc $realloc)))
  (instance $things
    (export "thing" (type $thing))
    (export "entry" (type $entry))
    (export "make-thing" (func $e-make-thing))
    (export "rep-of" (func $e-rep-of))
    (export "total" (func $e-total)))
  (export "${THINGS}" (instance $things))
)`;

type Fn = (...args: number[]) => number;
type HostFn = (...args: never[]) => number | void;

interface Host {
  /** `my:host/api` for the output's imports. */
  imports: Record<string, HostFn>;
  /** `my:host/user`, whose r is api's. */
  user: Record<string, HostFn>;
  /** Live host handles: handle -> (type, value). */
  live: Map<number, { type: 'r' | 's'; v: number }>;
  /** Host handles each call received, in order (`func handle`). */
  seen: string[];
  /** Host handles the host's `[resource-drop]` was called with. */
  dropped: number[];
  /** A handle of the host's own making (as if created elsewhere), to pass to exports. */
  mint(v: number, type?: 'r' | 's'): number;
}

/** A host with its own numbering (from 100); it throws (a JS Error, not a trap) on a handle it did not give out. */
function makeHost(memory: () => WebAssembly.Memory, realloc: () => Fn): Host {
  const live = new Map<number, { type: 'r' | 's'; v: number }>();
  const seen: string[] = [];
  const dropped: number[] = [];
  let next = 100;
  const mint = (v: number, type: 'r' | 's' = 'r') => {
    live.set(next, { type, v });
    return next++;
  };
  const need = (f: string, h: number, type: 'r' | 's') => {
    seen.push(`${f} ${h}`);
    const e = live.get(h);
    if (!e || e.type !== type) throw new Error(`host: ${f} got ${h}, which is not a live ${type} of the host`);
    return e;
  };
  const u32 = (addr: number) => new DataView(memory().buffer).getUint32(addr, true);
  const imports = {
    make: (v: number) => mint(v),
    'make-s': () => mint(0, 's'),
    'make-pair': (a: number, b: number, ret: number) => {
      const view = new DataView(memory().buffer);
      view.setUint32(ret, mint(a), true);
      view.setUint32(ret + 4, mint(b), true);
    },
    '[method]r.get': (h: number) => need('get', h, 'r').v,
    // variant { n(u64), h(borrow<r>) }: the payload is an i64 (a BigInt here)
    pick: (disc: number, payload: bigint) => (disc === 1 ? need('pick', Number(payload), 'r').v : Number(payload) + 1000),
    // result<own<r>, u32>: err(7) for 0
    'try-make': (v: number, ret: number) => {
      const view = new DataView(memory().buffer);
      view.setUint8(ret, v === 0 ? 1 : 0);
      view.setUint32(ret + 4, v === 0 ? 7 : mint(v), true);
    },
    consume: (h: number) => {
      const v = need('consume', h, 'r').v;
      live.delete(h);
      return v;
    },
    // list<own<r>>: n new r's (values 1..n) in memory from the program's cabi_realloc
    'make-list': (n: number, ret: number) => {
      const p = realloc()(0, 0, 4, 4 * n);
      const view = new DataView(memory().buffer);
      for (let i = 0; i < n; i++) view.setUint32(p + 4 * i, mint(i + 1), true);
      view.setUint32(ret, p, true);
      view.setUint32(ret + 4, n, true);
    },
    'consume-all': (ptr: number, len: number) => {
      let total = 0;
      for (let i = 0; i < len; i++) {
        const h = u32(ptr + 4 * i);
        total += need('consume-all', h, 'r').v;
        live.delete(h);
      }
      return total;
    },
    'lend-give': (a: number, b: number) => {
      const v = need('lend-give', a, 'r').v * 10 + need('lend-give', b, 'r').v;
      live.delete(b);
      return v;
    },
    sum: (ptr: number, len: number) => {
      let total = 0;
      for (let i = 0; i < len; i++) total += need('sum', u32(ptr + 4 * i), 'r').v;
      return total;
    },
    // each borrow's value times its position + 1
    wide: (ptr: number) => {
      let total = 0;
      for (let i = 0; i < WIDE; i++) total += (i + 1) * need('wide', u32(ptr + 4 * i), 'r').v;
      return total;
    },
    '[resource-drop]r': (h: number) => {
      need('drop-r', h, 'r');
      live.delete(h);
      dropped.push(h);
    },
    '[resource-drop]s': (h: number) => {
      need('drop-s', h, 's');
      live.delete(h);
      dropped.push(h);
    },
  };
  const user = { peek: (h: number) => need('user-peek', h, 'r').v + 1_000_000 };
  return { imports, user, live, seen, dropped, mint };
}

let compiled: WebAssembly.Module;

beforeAll(async () => {
  compiled = new WebAssembly.Module(lower(await wat(COMPONENT)).module as Uint8Array<ArrayBuffer>);
});

/** A fresh instance (on browser_wasi_shim's p1) with a fresh host; `t.f` calls export `my:test/t#f`. */
function start(): { t: Record<string, Fn>; things: Record<string, Fn>; e: Record<string, Fn>; host: Host; memory: WebAssembly.Memory } {
  let memory: WebAssembly.Memory | undefined;
  let realloc: Fn | undefined;
  const host = makeHost(() => memory!, () => realloc!);
  const wasi = new WASI([], [], []);
  const instance = new WebAssembly.Instance(compiled, { wasi_snapshot_preview1: wasi.wasiImport, [API]: host.imports, [USER]: host.user });
  const e = instance.exports as Record<string, Fn> & { memory: WebAssembly.Memory };
  memory = e.memory;
  realloc = e['cabi_realloc'];
  const scoped = (iface: string) =>
    new Proxy({} as Record<string, Fn>, {
      get: (_, name: string) => {
        const f = e[`${iface}#${name}`];
        if (typeof f !== 'function') throw new Error(`no export ${iface}#${name}`);
        return f;
      },
    });
  return { t: scoped(T), things: scoped(THINGS), e, host, memory: e.memory };
}

/** Every export stays callable: a trap from a handle check is a WebAssembly.RuntimeError, a host complaint a plain Error. */
const traps = (f: () => unknown) => expect(f).toThrow(WebAssembly.RuntimeError);

describe('imports of the program (program -> host)', () => {
  test('the output imports the host interface and its resource drops under their names', () => {
    const imports = WebAssembly.Module.imports(compiled).filter((i) => i.module === API).map((i) => i.name).sort();
    expect(imports).toEqual(['[method]r.get', '[resource-drop]r', '[resource-drop]s', 'consume', 'consume-all', 'lend-give', 'make', 'make-list', 'make-pair', 'make-s', 'pick', 'sum', 'try-make', 'wide']);
    expect(WebAssembly.Module.imports(compiled).filter((i) => i.module === USER).map((i) => i.name)).toEqual(['peek']);
  });

  test('own results get table slots (1, 2, ...): the program sees indices, the host its numbers', () => {
    const { t, host } = start();
    expect(t.make!(10)).toBe(1);
    expect(t.make!(20)).toBe(2);
    expect([...host.live.keys()]).toEqual([100, 101]);
    expect(t.get!(1)).toBe(10);
    expect(t.get!(2)).toBe(20);
    expect(host.seen).toEqual(['get 100', 'get 101']);
  });

  test('passing an own to the host frees its slot; the next own result reuses the index (LIFO)', () => {
    const { t, host } = start();
    const a = t.make!(1);
    const b = t.make!(2);
    expect(t.consume!(a)).toBe(1);
    expect(host.seen).toEqual(['consume 100']);
    expect(host.live.has(100)).toBe(false);
    const c = t.make!(3);
    expect(c).toBe(a);
    expect(t.get!(c)).toBe(3);
    expect(host.seen.at(-1)).toBe('get 102');
    // free b then c: c's index comes back first, then b's
    t.consume!(b);
    t.consume!(c);
    expect(t.make!(4)).toBe(c);
    expect(t.make!(5)).toBe(b);
    expect(t.make!(6)).toBe(3);
  });

  test('a borrow param reaches the host as its handle; the slot stays the program\'s', () => {
    const { t, host } = start();
    const h = t.make!(42);
    expect(t.get!(h)).toBe(42);
    expect(t.get!(h)).toBe(42);
    expect(host.seen).toEqual(['get 100', 'get 100']);
    expect(t.consume!(h)).toBe(42);
  });

  test('own results in memory (a tuple through the return pointer) get slots', () => {
    const { t, host } = start();
    const packed = t.pair!(7, 8);
    const [first, second] = [packed & 0xffff, packed >>> 16];
    expect([first, second]).toEqual([1, 2]);
    expect(t.get!(first)).toBe(7);
    expect(t.get!(second)).toBe(8);
    expect(host.seen).toEqual(['get 100', 'get 101']);
  });

  test('list<borrow<r>>: the host reads its own handles; the program\'s list holds its handles again after the call', () => {
    const { t, host, memory } = start();
    const [a, b, c] = [t.make!(1), t.make!(20), t.make!(300)];
    expect(t.sum3!(a, b, c)).toBe(321);
    expect(host.seen).toEqual(['sum 100', 'sum 101', 'sum 102']);
    expect([...new Uint32Array(memory.buffer, 1024, 3)]).toEqual([a, b, c]);
    // the same handle twice in one list, and the loans nest with later calls
    expect(t.sum3!(c, c, a)).toBe(601);
    expect(t.get!(c)).toBe(300);
    expect(t.sum3!(b, a, b)).toBe(41);
  });

  test('borrows spilled to memory (17 params): the host reads its handles, the program\'s memory is put back', () => {
    const { t, host } = start();
    const [a, b] = [t.make!(1), t.make!(1000)];
    // positions 1, 3, ..., 17 hold a; 2, 4, ..., 16 hold b
    expect(t.wide!(a, b)).toBe(81 + 72 * 1000);
    expect(host.seen).toEqual(Array.from({ length: WIDE }, (_, i) => `wide ${i % 2 ? 101 : 100}`));
  });

  test('variants are translated by their discriminant: a u64 case is left alone, the borrow case (an i64 slot) is looked up', () => {
    const { t, host } = start();
    const h = t.make!(42);
    expect(t.pick!(0, h)).toBe(1000 + h);
    expect(t.pick!(0, 0)).toBe(1000);
    expect(t.pick!(1, h)).toBe(42);
    expect(host.seen).toEqual(['pick 100']);
  });

  test('result<own<r>, u32> in memory: ok gets a slot, err\'s payload stays as the host wrote it', () => {
    const { t } = start();
    expect(t['try-make']!(0)).toBe((1 << 16) | 7);
    expect(t['try-make']!(9)).toBe(1);
    expect(t.get!(1)).toBe(9);
    expect(t['try-make']!(0)).toBe((1 << 16) | 7);
    expect(t.make!(0)).toBe(2);
  });

  test('40 handles (the table and the loan log grow): one list lends them all and gets them back', () => {
    const { t, host } = start();
    const handles = Array.from({ length: 40 }, (_, i) => t.make!(i + 1));
    expect(handles).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(t['sum-n']!(1, 40)).toBe((40 * 41) / 2);
    expect(host.seen).toEqual(Array.from({ length: 40 }, (_, i) => `sum ${100 + i}`));
    handles.forEach((h, i) => expect(t.get!(h)).toBe(i + 1));
    expect(t['sum-n']!(11, 20)).toBe((11 + 30) * 10);
  });

  test('list<own<r>> result (in memory from cabi_realloc): each element gets a slot', () => {
    const { t, host, memory } = start();
    const at = t['make-list']!(3);
    const [ptr, len] = new Uint32Array(memory.buffer, at, 2);
    expect(len).toBe(3);
    const handles = [...new Uint32Array(memory.buffer, ptr!, 3)];
    expect(handles).toEqual([1, 2, 3]);
    expect(handles.map((h) => t.get!(h))).toEqual([1, 2, 3]);
    expect(host.seen).toEqual(['get 100', 'get 101', 'get 102']);
  });

  test('list<own<r>> param: the host gets its handles, the slots are freed', () => {
    const { t, host } = start();
    [10, 20, 30].forEach((v) => t.make!(v));
    expect(t['consume-all']!(1, 3)).toBe(60);
    expect(host.seen).toEqual(['consume-all 100', 'consume-all 101', 'consume-all 102']);
    expect(host.live.size).toBe(0);
    traps(() => t.get!(2));
    // freed in list order, so the last one comes back first
    expect(t.make!(0)).toBe(3);
  });

  // Own handles the program passes in memory (a list, or spilled params) are rewritten for the
  // call and put back after it (the undo log): lifting only reads the caller's memory, so the list
  // still holds the program's (now dead) handles 1, 2, 3.
  test('list<own<r>> param: the program\'s list memory is left as it was', () => {
    const { t, memory } = start();
    [10, 20, 30].forEach((v) => t.make!(v));
    t['consume-all']!(1, 3);
    expect([...new Uint32Array(memory.buffer, 5120, 3)]).toEqual([1, 2, 3]);
  });

  test('a resource another host interface `use`s is the same type: its handles pass there too', () => {
    const { t, host } = start();
    const h = t.make!(5);
    expect(t['user-peek']!(h)).toBe(1_000_005);
    expect(host.seen).toEqual(['user-peek 100']);
    traps(() => t['user-peek']!(t['make-s']!()));
  });

  test('[resource-drop] of an owned host resource calls the host drop with the host handle, and frees the slot', () => {
    const { t, host } = start();
    const a = t.make!(1);
    const b = t.make!(2);
    t['drop-r']!(a);
    expect(host.dropped).toEqual([100]);
    expect(t.make!(3)).toBe(a);
    const s = t['make-s']!();
    t['drop-s']!(s);
    t['drop-r']!(b);
    expect(host.dropped).toEqual([100, 103, 101]);
  });
});

describe('exports of the program (host -> program)', () => {
  test('own<r> param: the program gets a slot of the host handle, which goes back to the host on use', () => {
    const { t, host } = start();
    const mine = host.mint(55);
    const h = t.keep!(mine);
    expect(h).toBe(1);
    expect(t.get!(h)).toBe(55);
    expect(t.consume!(h)).toBe(55);
    expect(host.seen).toEqual([`get ${mine}`, `consume ${mine}`]);
  });

  test('borrow<r> param: lent for the call; the program reads it through the host; its drop does not call the host drop', () => {
    const { t, host } = start();
    const mine = host.mint(77);
    expect(t.peek!(mine)).toBe(77);
    expect(host.seen).toEqual([`get ${mine}`]);
    expect(host.dropped).toEqual([]);
    expect(host.live.has(mine)).toBe(true);
    t['peek-drop']!(mine);
    expect(host.dropped).toEqual([]);
    // the loans' slots were freed: the program's next handle is 1 again
    expect(t.make!(1)).toBe(1);
  });

  test('own<r> result: the slot leaves the table, the host gets its own handle back', () => {
    const { t, host } = start();
    const mine = host.mint(9);
    expect(t.roundtrip!(mine)).toBe(mine);
    expect(t.make!(0)).toBe(1); // the slot roundtrip used is free again
    const given = t.give!(31);
    expect(given).toBe(mine + 2);
    expect(host.live.get(given)).toEqual({ type: 'r', v: 31 });
    expect(t.make!(0)).toBe(2);
    expect(host.dropped).toEqual([]);
  });

  test('own<r> results in memory (a tuple behind the returned pointer) leave the table', () => {
    const { t, host, memory } = start();
    const ptr = t['give-pair']!(4, 5);
    const [x, y] = new Uint32Array(memory.buffer, ptr, 2);
    expect(host.live.get(x!)).toEqual({ type: 'r', v: 4 });
    expect(host.live.get(y!)).toEqual({ type: 'r', v: 5 });
    expect([x, y]).toEqual([100, 101]);
    // both slots are free again (LIFO: the second first)
    expect(t.make!(0)).toBe(2);
    expect(t.make!(0)).toBe(1);
  });

  test('list<own<r>> result in memory: every element leaves the table as the host\'s handle', () => {
    const { t, host, memory } = start();
    const at = t['give-list']!(3);
    const [ptr, len] = new Uint32Array(memory.buffer, at, 2);
    expect(len).toBe(3);
    expect([...new Uint32Array(memory.buffer, ptr!, 3)]).toEqual([100, 101, 102]);
    expect([...host.live.values()].map((x) => x.v)).toEqual([1, 2, 3]);
    expect(t.make!(0)).toBe(3);
  });

  test('borrows in spilled export params (17): each gets a lent slot', () => {
    const { t, e, host, memory } = start();
    const [a, b] = [host.mint(1), host.mint(1000)];
    const p = e['cabi_realloc']!(0, 0, 4, 4 * WIDE);
    new Uint32Array(memory.buffer, p, WIDE).set(Array.from({ length: WIDE }, (_, i) => (i % 2 ? b : a)));
    expect(t['wide-in']!(p)).toBe(81 + 72 * 1000);
    expect(host.seen).toEqual(Array.from({ length: WIDE }, (_, i) => `get ${i % 2 ? b : a}`));
    expect(host.dropped).toEqual([]);
    expect(t.make!(0)).toBe(WIDE);
  });

  // The Canonical ABI traps when the callee returns with lent handles it has not dropped
  // (borrow_count != 0): the export wrapper counts open loans and traps likewise.
  test('an export returning without dropping a borrow it was lent traps', () => {
    const { t, host } = start();
    const mine = host.mint(1);
    traps(() => t['peek-keep']!(mine));
  });
});

describe('handle checks trap', () => {
  test('handle 0, out of range, freed', () => {
    traps(() => start().t.get!(0));
    traps(() => start().t.get!(5));
    traps(() => start().t['drop-r']!(0));
    {
      // with live slots too: 0 is never a handle, nor is one past the table's end
      const { t, host } = start();
      t.make!(1);
      traps(() => t.get!(0));
      traps(() => t.consume!(0));
      traps(() => t.get!(2));
      traps(() => t.get!(-1));
      expect(host.seen).toEqual([]);
    }
    {
      const { t, host } = start();
      const h = t.make!(1);
      t.consume!(h);
      traps(() => t.get!(h));
      expect(host.seen).toEqual(['consume 100']);
    }
    {
      const { t, host } = start();
      const h = t.make!(1);
      t['drop-r']!(h);
      traps(() => t['drop-r']!(h));
      expect(host.dropped).toEqual([100]);
    }
    {
      // a slot below the table's length that was never handed out after its free
      const { t } = start();
      const [a, b] = [t.make!(1), t.make!(2)];
      t.consume!(a);
      traps(() => t.consume!(a));
      expect(t.get!(b)).toBe(2);
    }
  });

  test('a handle of another resource type traps (r where s is expected, and the reverse)', () => {
    {
      const { t, host } = start();
      const s = t['make-s']!();
      traps(() => t.get!(s));
      traps(() => t.consume!(s));
      expect(host.seen).toEqual([]);
    }
    {
      const { t, host } = start();
      const r = t.make!(1);
      traps(() => t['drop-s']!(r));
      expect(host.dropped).toEqual([]);
    }
    {
      // the program's own resource and a host one share the table, not their types
      const { t } = start();
      const thing = t['new-thing']!(5);
      const r = t.make!(1);
      expect(r).toBe(thing + 1);
      traps(() => t.get!(thing));
      traps(() => t['thing-rep']!(r));
      traps(() => t['thing-drop']!(r));
      traps(() => t['drop-r']!(thing));
    }
  });

  test('a borrow and an own in one call (different handles): the borrow stays, the own leaves', () => {
    const { t, host } = start();
    const h = t.make!(1);
    const other = t.make!(2);
    expect(t['lend-give']!(h, other)).toBe(12);
    expect(host.seen).toEqual(['lend-give 100', 'lend-give 101']);
    expect(host.live.has(101)).toBe(false);
    traps(() => t.get!(other));
    expect(t.get!(h)).toBe(1);
  });

  // BUG (linker): lending a handle and giving it away in one call. The Canonical ABI lifts params
  // left to right: lift_borrow counts a lend on the own handle, then lift_own of the same handle
  // traps (num_lends != 0). The output looks the borrow up, then takes the slot, and the host gets
  // its handle both lent and owned (here it frees it during the call).
  test.fails('a handle lent and given away in the same call traps', () => {
    const { t, host } = start();
    const h = t.make!(1);
    traps(() => t['lend-give']!(h, h));
    expect(host.seen).toEqual([]);
  });

  test('a borrow lent to the program cannot be returned as an own', () => {
    const { t, host } = start();
    const mine = host.mint(3);
    traps(() => t['lend-back']!(mine));
    expect(host.live.has(mine)).toBe(true);
  });

  test('a borrow lent to the program cannot be given away (own<r> param of an import)', () => {
    const { t, host } = start();
    const mine = host.mint(3);
    traps(() => t['peek-consume']!(mine));
    expect(host.live.has(mine)).toBe(true);
    expect(host.seen).toEqual([]);
  });
});

describe("the component's own resource", () => {
  test('borrow<thing> flat reaches the export as the rep', () => {
    const { things } = start();
    const h = things['make-thing']!(1234);
    expect(h).toBe(1);
    expect(things['rep-of']!(h)).toBe(1234);
  });

  test('borrow<thing> inside list<record> in memory reaches the export as reps', () => {
    const { things, e, memory } = start();
    const hs = [things['make-thing']!(3), things['make-thing']!(50), things['make-thing']!(700)];
    expect(hs).toEqual([1, 2, 3]);
    const realloc = e['cabi_realloc']!;
    const p = realloc(0, 0, 4, 24);
    new Uint32Array(memory.buffer, p, 6).set([hs[0]!, 1, hs[1]!, 2, hs[2]!, 3]);
    expect(things.total!(p, 3)).toBe(3 + 100 + 2100);
    // the handles are still live
    expect(things['rep-of']!(hs[1]!)).toBe(50);
  });

  test('[resource-drop]thing runs the destructor once; the handle is dead after it', () => {
    const { t, things, e } = start();
    const h = things['make-thing']!(99);
    const drop = e[`${THINGS}#[resource-drop]thing`]!;
    expect(typeof drop).toBe('function');
    drop(h);
    expect(t['dtor-count']!()).toBe(1);
    expect(t['dtor-sum']!()).toBe(99);
    traps(() => drop(h));
    traps(() => things['rep-of']!(h));
    expect(t['dtor-count']!()).toBe(1);
  });

  test("the program's own drop runs the destructor too; a host resource's handle is not a thing", () => {
    const { t, things, e, host } = start();
    const thing = things['make-thing']!(8);
    const r = t.make!(1);
    traps(() => things['rep-of']!(r));
    traps(() => e[`${THINGS}#[resource-drop]thing`]!(r));
    expect(host.dropped).toEqual([]);
    expect(t['thing-rep']!(thing)).toBe(8);
    t['thing-drop']!(thing);
    expect([t['dtor-count']!(), t['dtor-sum']!()]).toEqual([1, 8]);
    traps(() => t['thing-rep']!(thing));
  });
});
