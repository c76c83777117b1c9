//! Property-test inputs shared by the cross-checks: claim values as VideoSDK allows them,
//! with text drawn from all of Unicode.

use proptest::prelude::*;

/// A shuffled selection of at least `min` distinct items of `all`: a permission or role list
/// in any order.
pub fn ordered_subset<T: Clone + std::fmt::Debug + 'static>(
    all: &'static [T],
    min: usize,
) -> impl Strategy<Value = Vec<T>> {
    Just(all.to_vec())
        .prop_shuffle()
        .prop_flat_map(move |items| {
            let len = items.len();
            (min..=len).prop_map(move |n| items.get(..n).unwrap_or_default().to_vec())
        })
}

/// Non-empty text of any Unicode characters, controls and astral characters included.
pub fn text(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(any::<char>(), 1..max).prop_map(|chars| chars.into_iter().collect())
}
