/// The area under the ROC curve of `scores` against `isMember`, by the Mann–Whitney U statistic:
/// the probability that a random member outscores a random non-member, ties counting ½.
/// Sorting-based, O(n log n). Test-only (the library's ROC lives in `ROCCurve`).
func testAUC(scores: [Double], isMember: [Bool]) -> Double {
  precondition(scores.count == isMember.count, "\(scores.count) scores, \(isMember.count) labels")
  let order = scores.indices.sorted { scores[$0] < scores[$1] }
  // Mid-ranks (1-based) so ties share the average rank.
  var ranks = [Double](repeating: 0, count: scores.count)
  var start = 0
  while start < order.count {
    var end = start
    while end + 1 < order.count && scores[order[end + 1]] == scores[order[start]] { end += 1 }
    let midRank = Double(start + end) / 2 + 1
    for position in start...end { ranks[order[position]] = midRank }
    start = end + 1
  }
  let members = Double(isMember.lazy.filter { $0 }.count)
  let nonMembers = Double(isMember.count) - members
  precondition(members > 0 && nonMembers > 0, "AUC needs both classes")
  var memberRankSum = 0.0
  for index in scores.indices where isMember[index] { memberRankSum += ranks[index] }
  return (memberRankSum - members * (members + 1) / 2) / (members * nonMembers)
}
