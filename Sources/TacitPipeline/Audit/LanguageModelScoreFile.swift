import Foundation
import TacitAudit
import TacitData
import TacitReport

/// A JSON Lines file of per-text language-model log-probabilities with membership labels, from
/// any framework (`Scripts/export_hf_logprobs.py` writes it from a `transformers` model; `tacit
/// score --json` lines plus a `member` field are one too): the input of `tacit audit lm-scores`.
///
/// One JSON object per non-blank line:
/// - `token_log_probs` (required): ℓ_t = log p(x_t | x_<t), natural log, a non-empty array of
///   finite numbers;
/// - `member` (required): 1 for a member of the training set, 0 for a non-member;
/// - `mu`, `sigma` (optional, together): per token, the mean and standard deviation (≥ 0) of
///   log p under the model's next-token distribution (Min-K%++), as long as `token_log_probs`;
/// - `lowercase_token_log_probs`, `reference_token_log_probs` (optional): ℓ_t of the lower-cased
///   text and under a reference model, non-empty, of their own lengths;
/// - `text` (optional): the text (zlib ratio, blind baseline).
/// An optional field is present on every line or on none, so each attack scores every text.
/// Other fields (`loss`, `tokens`, …) are ignored. Errors name the file and line
/// (`FILE:LINE: message`, an input error, exit 65).
struct LanguageModelScoreFile {
  /// One line's record.
  struct Record {
    var inputs: LanguageModelAttack.Inputs
    var text: String?
    var isMember: Bool
  }

  var path: String
  var records: [Record]

  /// The optional fields, in the order they are checked.
  static let optionalArrays = ["mu", "sigma", "lowercase_token_log_probs", "reference_token_log_probs"]

  /// Reads and checks `path` (see the type's documentation).
  static func read(path: String) throws -> LanguageModelScoreFile {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw PipelineError("\(path): cannot read the score file")
    }
    guard let content = String(data: data, encoding: .utf8) else { throw PipelineError("\(path): not UTF-8 text") }
    var records: [Record] = []
    var firstPresence: (line: Int, fields: Set<String>)?
    for (offset, line) in content.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
      if line.allSatisfy(\.isWhitespace) { continue }
      let number = offset + 1
      func failure(_ message: String) -> PipelineError { PipelineError("\(path):\(number): \(message)") }
      guard let object = (try? JSONText.decode(Data(line.utf8))) as? [String: Any] else {
        throw failure("not a JSON object: '\(ScoreFileAudit.quoted(line))'")
      }
      let record = try readRecord(object, failure: failure)
      let present = Set((optionalArrays + ["text"]).filter { object[$0] != nil && !(object[$0] is NSNull) })
      if let first = firstPresence, first.fields != present {
        let field = first.fields.symmetricDifference(present).sorted()[0]
        let here = present.contains(field) ? "has" : "has no"
        throw failure(
          "\(here) '\(field)' but line \(first.line) \(here == "has" ? "has none" : "has one"); give it on every line or on none")
      }
      if firstPresence == nil { firstPresence = (number, present) }
      records.append(record)
    }
    guard !records.isEmpty else { throw PipelineError("\(path):1: no records") }
    let members = records.filter(\.isMember).count
    guard members > 0 else { throw PipelineError("\(path): column 'member': no member (no line has member = 1)") }
    guard members < records.count else {
      throw PipelineError("\(path): column 'member': no non-member (no line has member = 0)")
    }
    return LanguageModelScoreFile(path: path, records: records)
  }

  /// One line's fields, checked.
  static func readRecord(_ object: [String: Any], failure: (String) -> PipelineError) throws -> Record {
    func array(_ key: String) throws -> [Double]? {
      guard let value = object[key], !(value is NSNull) else { return nil }
      guard let items = value as? [Any] else { throw failure("'\(key)' must be an array of numbers") }
      let numbers = items.map { JSONText.number($0) }
      if let index = numbers.firstIndex(where: { $0 == nil || !$0!.isFinite }) {
        throw failure("'\(key)'[\(index)] is not a finite number")
      }
      guard !numbers.isEmpty else { throw failure("'\(key)' is empty: a text needs at least one scored token") }
      return numbers.map { $0! }
    }
    guard let logProbabilities = try array("token_log_probs") else { throw failure("missing 'token_log_probs'") }
    guard let memberValue = object["member"] else { throw failure("missing 'member' (1 for a member, 0 for a non-member)") }
    guard let member = JSONText.integer(memberValue), member == 0 || member == 1 else {
      throw failure("'member' must be 0 or 1, got \(memberValue)")
    }
    let means = try array("mu"), deviations = try array("sigma")
    guard (means == nil) == (deviations == nil) else { throw failure("'mu' and 'sigma' go together; this line has only one") }
    for (key, values) in [("mu", means), ("sigma", deviations)] {
      if let values, values.count != logProbabilities.count {
        throw failure("'\(key)' has \(values.count) entries but 'token_log_probs' has \(logProbabilities.count)")
      }
    }
    if let index = deviations?.firstIndex(where: { $0 < 0 }) { throw failure("'sigma'[\(index)] is negative") }
    var text: String?
    if let value = object["text"], !(value is NSNull) {
      guard let string = value as? String else { throw failure("'text' must be a string") }
      text = string
    }
    let inputs = LanguageModelAttack.Inputs(
      tokenLogProbabilities: logProbabilities, means: means, standardDeviations: deviations,
      lowercaseTokenLogProbabilities: try array("lowercase_token_log_probs"),
      referenceTokenLogProbabilities: try array("reference_token_log_probs"),
      compressedBytes: text.map { Zlib.compressedSize(Array($0.utf8), level: 6) })
    return Record(inputs: inputs, text: text, isMember: member == 1)
  }
}
