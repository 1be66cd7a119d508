import Foundation
import Testing

@testable import TacitReport

struct JSONTextTests {
  @Test func encodeSortsKeysIndentsAndWritesNaNAsNull() {
    let object: [String: Any] = ["b": 1, "a": [Double.nan, 0.5, -Double.infinity], "c": "x/y", "d": NSNull()]
    #expect(
      JSONText.encode(object)
        == """
        {
          "a" : [
            null,
            0.5,
            null
          ],
          "b" : 1,
          "c" : "x/y",
          "d" : null
        }
        """)
  }

  @Test func decodeReadsBackWhatEncodeWrote() throws {
    let object: [String: Any] = ["name": "run", "count": 3, "rate": 0.25, "flag": true, "list": [1, 2]]
    let parsed = try #require(try JSONText.decode(Data(JSONText.encode(object).utf8)) as? [String: Any])
    #expect(parsed["name"] as? String == "run")
    #expect(JSONText.number(parsed["count"]!) == 3 && JSONText.integer(parsed["count"]!) == 3)
    #expect(JSONText.number(parsed["rate"]!) == 0.25 && JSONText.integer(parsed["rate"]!) == nil)
    // A boolean is not a number, although JSONSerialization gives it as an NSNumber.
    #expect(JSONText.number(parsed["flag"]!) == nil && JSONText.integer(parsed["flag"]!) == nil)
    #expect((parsed["list"] as? [Any])?.compactMap(JSONText.integer) == [1, 2])
    #expect(throws: (any Error).self) { try JSONText.decode(Data("{\"a\": ".utf8)) }
  }
}
