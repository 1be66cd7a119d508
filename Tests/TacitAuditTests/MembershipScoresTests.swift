import Testing

@testable import TacitAudit

@Suite struct MembershipScoresTests {
  @Test func countsMembersAndNonMembers() throws {
    let scores = try MembershipScores(scores: [0.1, 0.9, 0.4], isMember: [false, true, true])
    #expect(scores.count == 3)
    #expect(scores.memberCount == 2)
    #expect(scores.nonMemberCount == 1)
  }

  @Test func refusesBadInput() {
    #expect(throws: AuditError.self) { try MembershipScores(scores: [0.1], isMember: [true, false]) }
    #expect(throws: AuditError.self) { try MembershipScores(scores: [.nan, 1], isMember: [true, false]) }
    #expect(throws: AuditError.self) { try MembershipScores(scores: [.infinity, 1], isMember: [true, false]) }
    #expect(throws: AuditError.self) { try MembershipScores(scores: [0, 1], isMember: [true, true]) }
  }
}
