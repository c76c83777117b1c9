//! A short list with a capacity fixed at compile time, for the names a token lists. Unlike
//! `heapless::Vec` it has no destructor, so claims that hold one release their borrow of the
//! scratch buffer at their last use, and it keeps `heapless` an optional dependency.

use core::fmt;

/// Up to `N` values of `T`, in the order pushed.
#[derive(Clone, Copy)]
pub(crate) struct List<T: Copy, const N: usize> {
    items: [T; N],
    len: usize,
}

impl<T: Copy, const N: usize> List<T, N> {
    /// An empty list; `fill` only occupies the unused slots.
    pub(crate) const fn new(fill: T) -> Self {
        Self {
            items: [fill; N],
            len: 0,
        }
    }

    /// Appends `value`, or gives it back when the list is full.
    pub(crate) fn push(&mut self, value: T) -> Result<(), T> {
        let slot = self.items.get_mut(self.len).ok_or(value)?;
        *slot = value;
        self.len = self.len.saturating_add(1);
        Ok(())
    }

    pub(crate) fn as_slice(&self) -> &[T] {
        self.items.get(..self.len).unwrap_or_default()
    }

    pub(crate) const fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl<T: Copy + PartialEq, const N: usize> PartialEq for List<T, N> {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T: Copy + Eq, const N: usize> Eq for List<T, N> {}

impl<T: Copy + fmt::Debug, const N: usize> fmt::Debug for List<T, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}

#[cfg(feature = "defmt")]
impl<T: Copy + defmt::Format, const N: usize> defmt::Format for List<T, N> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "{=[?]}", self.as_slice());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_and_refuses_past_capacity() {
        let mut list = List::<u8, 2>::new(0);
        assert!(list.is_empty());
        assert_eq!(list.push(7), Ok(()));
        assert_eq!(list.push(9), Ok(()));
        assert_eq!(list.push(1), Err(1));
        assert_eq!(list.as_slice(), [7, 9]);
        let mut other = List::<u8, 2>::new(5);
        other.push(7).unwrap();
        other.push(9).unwrap();
        assert_eq!(list, other, "unused slots do not count");
    }
}
