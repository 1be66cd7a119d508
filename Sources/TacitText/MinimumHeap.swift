/// A binary min-heap: `insert` and `popMinimum` in O(log n) (Williams 1964).
///
/// Storage: the complete binary tree in an array, children of i at 2i + 1 and 2i + 2; every
/// element is ≤ its children.
struct MinimumHeap<Element: Comparable> {
  private var elements: [Element] = []

  var isEmpty: Bool { elements.isEmpty }

  mutating func insert(_ element: Element) {
    elements.append(element)
    var child = elements.count - 1
    while child > 0 {
      let parent = (child - 1) / 2
      guard elements[child] < elements[parent] else { break }
      elements.swapAt(child, parent)
      child = parent
    }
  }

  /// Removes and returns the smallest element, or `nil` when empty.
  mutating func popMinimum() -> Element? {
    guard let last = elements.popLast() else { return nil }
    guard !elements.isEmpty else { return last }
    let minimum = elements[0]
    elements[0] = last
    var parent = 0
    while true {
      let left = 2 * parent + 1
      let right = left + 1
      var smallest = parent
      if left < elements.count && elements[left] < elements[smallest] { smallest = left }
      if right < elements.count && elements[right] < elements[smallest] { smallest = right }
      if smallest == parent { break }
      elements.swapAt(parent, smallest)
      parent = smallest
    }
    return minimum
  }
}
