import Foundation

extension RunComparison {
  /// `{"runs": [{name, folder, test_accuracy, epsilon_claimed, epsilon_lower_bound, confidence,
  /// verdict, attacks: {NAME: {auc, tpr_at_fpr: {"0.01", "0.001"}, advantage}}}]}`; a run whose
  /// audit was off has `null` bound, confidence and verdict and no attacks.
  public func json() -> String {
    func value(_ number: Double?) -> Any { number.map { $0 as Any } ?? NSNull() }
    let objects: [[String: Any]] = runs.map { run in
      var attacks: [String: Any] = [:]
      for attack in run.audit?.attacks ?? [] {
        attacks[attack.name] = [
          "auc": value(attack.auc), "advantage": value(attack.advantage),
          "tpr_at_fpr": ["0.01": value(attack.truePositiveRates["0.01"]), "0.001": value(attack.truePositiveRates["0.001"])],
        ]
      }
      return [
        "name": run.name, "folder": run.folder, "test_accuracy": value(run.testAccuracy),
        "test_bits_per_byte": value(run.testBitsPerByte), "test_perplexity": value(run.testPerplexity),
        "epsilon_claimed": value(run.epsilonClaimed), "epsilon_lower_bound": value(run.audit?.epsilonLowerBound),
        "confidence": value(run.audit?.confidence), "verdict": run.audit.map { $0.verdict.rawValue as Any } ?? NSNull(),
        "attacks": attacks,
      ]
    }
    return JSONText.encode(["runs": objects])
  }

  /// The side-by-side cells: a header row of run names, then one row per figure; a row whose
  /// cells are all `nil` heads a group (an attack).
  var rows: [(label: String, cells: [String]?)] {
    func figure(_ value: Double?, _ format: String) -> String { value.map { String(format: format, $0) } ?? "—" }
    let languageModels = runs.contains { $0.testBitsPerByte != nil }
    var rows: [(label: String, cells: [String]?)] = [
      (
        languageModels ? "test accuracy (next token)" : "test accuracy",
        runs.map { run in run.testAccuracy.map { String(format: "%.2f%%", 100 * $0) } ?? "—" }
      )
    ]
    if languageModels {
      rows.append(("test bits per byte", runs.map { figure($0.testBitsPerByte, "%.4f") }))
      rows.append(("test perplexity", runs.map { figure($0.testPerplexity, "%.3f") }))
    }
    rows += [
      ("claimed ε", runs.map { run in run.epsilonClaimed.map { String(format: "%.3f", $0) } ?? "none" }),
      (
        "ε lower bound",
        runs.map { run in
          guard let audit = run.audit else { return "—" }
          return figure(audit.epsilonLowerBound, "%.3f") + (audit.confidence.map { String(format: " at %.0f%%", 100 * $0) } ?? "")
        }
      ),
      ("  from", runs.map { $0.audit?.boundSource ?? "—" }),
      ("verdict", runs.map { $0.audit?.verdict.rawValue ?? "audit off" }),
    ]
    for name in attackNames {
      rows.append((label: name, cells: nil))
      let attacks = runs.map { $0.audit?.attack(named: name) }
      rows.append(("  AUC", attacks.map { figure($0?.auc, "%.4f") }))
      rows.append(("  TPR at 1% FPR", attacks.map { figure($0?.truePositiveRates["0.01"], "%.4f") }))
      rows.append(("  TPR at 0.1% FPR", attacks.map { figure($0?.truePositiveRates["0.001"], "%.4f") }))
    }
    return rows
  }

  /// What the table cannot show: runs whose audit was off or came without `audit.json`.
  var notes: [String] {
    runs.compactMap { run in
      guard let audit = run.audit else { return "\(run.name): audit off (no audit.json, summary.json's audit is null)" }
      return audit.hasDetails ? nil : "\(run.name): no audit.json; figures from summary.json, no ROC curves"
    } + (runs.contains { $0.name != $0.recordedName } ? ["runs sharing a name are shown by their folder's name"] : [])
  }

  /// The terminal table: runs as columns, figures as rows, then the folders and notes.
  public func table() -> String {
    let rows = self.rows
    let labelWidth = max(16, rows.map(\.label.count).max() ?? 0) + 2
    let widths = runs.indices.map { index in
      max(runs[index].name.count, rows.compactMap { $0.cells?[index].count }.max() ?? 0) + 2
    }
    func line(_ label: String, _ cells: [String]) -> String {
      let padded = zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined()
      return (label.padding(toLength: labelWidth, withPad: " ", startingAt: 0) + padded)
        .replacingOccurrences(of: " +$", with: "", options: .regularExpression)
    }
    var lines = [line("", runs.map(\.name))]
    lines += rows.map { line($0.label, $0.cells ?? []) }
    lines.append("")
    lines += runs.map { "\($0.name): \($0.folder)" }
    lines += notes.map { "note: " + $0 }
    return lines.joined(separator: "\n")
  }
}
