//! `sign`, `token_len`, `verify` and the duration parser
//! allocate nothing: a counting global allocator sees no allocation on this thread while they
//! run.
// A global allocator is an unsafe trait; this file is the only place the workspace needs one.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use videosdk_token_core::{
    Claims, ExpiresIn, Key, Permission, Role, Rules, dangerous, sign, sign_to_string, token_len,
    verify,
};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator unchanged; only counts calls on this thread.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

#[test]
fn signing_allocates_nothing() {
    let mut buf = [0u8; 4096];
    let long = "😀\u{1}\"".repeat(40);
    let before = allocations();
    let mut total = 0;
    for round in 0..100u64 {
        let key = Key::new(b"a-secret-of-at-least-thirty-two-bytes!").expect("secret");
        let expires_in = ExpiresIn::parse("1.5 hours").expect("duration");
        let claims = Claims::expiring(
            &long,
            &[Permission::AskJoin, Permission::AllowMod],
            1_700_000_000 + round,
            expires_in,
        )
        .expect("claims")
        .with_room_id("room")
        .with_participant_id(&long)
        .with_roles(&[Role::Rtc, Role::Crawler]);
        let len = token_len(&claims).expect("len");
        total += sign(&claims, &key, &mut buf).expect("fits").len();
        total += sign_to_string::<2048>(&claims, &key).expect("fits").len();
        assert!(sign(&claims, &key, &mut buf[..len - 1]).is_err());
    }
    let after = allocations();
    assert!(total > 0);
    assert_eq!(
        after - before,
        0,
        "signing allocated {} times",
        after - before
    );
}

#[test]
fn verifying_allocates_nothing() {
    let key = Key::new(b"a-secret-of-at-least-thirty-two-bytes!").expect("secret");
    let long = "😀\u{1}\"".repeat(40);
    let claims = Claims::new(&long, &[Permission::AskJoin], 1_700_000_000, 1_700_000_600)
        .with_room_id("room")
        .with_roles(&[Role::Rtc]);
    let mut buf = [0u8; 4096];
    let token = sign(&claims, &key, &mut buf).expect("fits").to_owned();
    let tampered = token.replacen('e', "f", 1);
    let mut scratch = [0u8; 4096];
    let before = allocations();
    let mut seen = 0;
    for now in [1_700_000_000, 1_700_000_599, 1_700_000_600] {
        let rules = Rules::at(now).with_leeway(0);
        if let Ok(verified) = verify(&token, &key, &rules, &mut scratch) {
            seen += verified.apikey().len();
            assert!(verified.join("room", None).is_ok());
        }
        assert!(verify(&tampered, &key, &rules, &mut scratch).is_err());
        seen += dangerous::decode_unverified(&token, &mut scratch)
            .expect("decodes")
            .claims()
            .apikey()
            .len();
    }
    let after = allocations();
    assert!(seen > 0);
    assert_eq!(
        after - before,
        0,
        "verifying allocated {} times",
        after - before
    );
}

#[test]
fn the_counter_sees_allocations() {
    let before = allocations();
    let v = std::hint::black_box(vec![1u8; 64]);
    assert_eq!(allocations() - before, 1);
    drop(v);
}

/// With the `zeroize` feature, dropping a key wipes the state keyed from the secret: the
/// bytes a `Key` occupied are all zero after its destructor ran, where before they were not.
#[test]
fn a_dropped_key_wipes_its_state() {
    fn wipes_on_drop<T: zeroize::ZeroizeOnDrop>() {}
    wipes_on_drop::<Key>();
    let mut slot = std::mem::MaybeUninit::new(Key::new(b"a-secret").expect("secret"));
    let bytes = |slot: &std::mem::MaybeUninit<Key>| {
        // SAFETY: a `Key` is two arrays of `u32` with no padding, so each of its bytes is
        // initialised, and its destructor only writes zeros over them.
        unsafe { std::slice::from_raw_parts(slot.as_ptr().cast::<u8>(), size_of::<Key>()) }.to_vec()
    };
    assert!(
        bytes(&slot).iter().any(|&b| b != 0),
        "a key is not all zeros"
    );
    // SAFETY: `slot` holds a `Key`, dropped here once and never used as one again.
    unsafe { slot.assume_init_drop() };
    assert!(
        bytes(&slot).iter().all(|&b| b == 0),
        "the dropped key was not wiped"
    );
}
