import Testing

@testable import TacitRecipe

@Suite struct EditDistanceTests {
  @Test(arguments: [
    ("", "", 0), ("abc", "", 3), ("", "ab", 2), ("kitten", "sitting", 3), ("flaw", "lawn", 2),
    ("learning_rat", "learning_rate", 1), ("momentun", "momentum", 1), ("intention", "execution", 5),
  ])
  func distanceMatchesHandCount(source: String, target: String, expected: Int) {
    #expect(EditDistance.between(source, target) == expected)
    #expect(EditDistance.between(target, source) == expected)
  }

  @Test func suggestsOnlyCloseCandidates() {
    #expect(EditDistance.closest(to: "epoch", among: ["batch_size", "epochs"]) == "epochs")
    #expect(EditDistance.closest(to: "lr", among: ["learning_rate", "momentum"]) == nil)
    #expect(EditDistance.suggestion(for: "lr", among: ["a_key", "b_key"]) == "; expected one of a_key, b_key")
  }
}
