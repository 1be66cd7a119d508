import Foundation
import TacitAudit

extension RunComparison {
  /// `comparison.html`: self-contained (inline SVG and CSS, no scripts, no network).
  ///
  /// Sections: the side-by-side table of `table()`; claimed ε against the empirical lower bound per
  /// run (bars on one scale); the ROC curves on log–log axes (Carlini et al. 2022 §III), first each
  /// run's strongest attack (highest AUC) in one chart, then one chart per attack with one curve
  /// per run that ran it. A run keeps its colour in every chart and in the table's header.
  public func html() -> String {
    let title = "Tacit: \(runs.count) runs compared"
    let folders = runs.map { "<li>\(swatch($0))<strong>\(escape($0.name))</strong>: \(escape($0.folder))</li>" }.joined()
    let notes = self.notes.isEmpty ? "" : "<ul class=\"muted\">" + self.notes.map { "<li>\(escape($0))</li>" }.joined() + "</ul>"
    return """
      <!DOCTYPE html>
      <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
      <style>
      body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1000px; color: #1d2733; }
      h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { font-size: 1.2em; margin-top: 1.8em; border-bottom: 1px solid #d8dee4; }
      table.comparison { border-collapse: collapse; } table.comparison td, table.comparison th { padding: 3px 10px; }
      table.comparison td { text-align: right; font-variant-numeric: tabular-nums; }
      table.comparison th { text-align: left; font-weight: 600; } table.comparison th.indent { padding-left: 1.6em; font-weight: normal; }
      table.comparison tr.group th { padding-top: 0.7em; border-bottom: 1px solid #eef1f4; }
      table.comparison thead th { text-align: right; border-bottom: 1px solid #c9d1d9; }
      .charts { display: flex; flex-wrap: wrap; gap: 1em; } .muted { color: #66727f; }
      .swatch { display: inline-block; width: 0.8em; height: 0.8em; margin-right: 0.35em; border-radius: 2px; }
      ul.folders { list-style: none; padding-left: 0; }
      </style></head><body>
      <h1>\(escape(title))</h1>
      <ul class="folders muted">\(folders)</ul>
      <h2>Side by side</h2>
      \(tableHTML())
      \(notes)
      <h2>Claimed ε and empirical lower bound</h2>
      <p class="muted">The lower bound holds at the confidence in the table; a bound above the claim is a VIOLATION.</p>
      \(epsilonBars())
      <h2>ROC curves (log–log)</h2>
      <p class="muted">True against false positive rate on log–log axes; the dashed line is chance (TPR = FPR).</p>
      <div class="charts">
      \(rocCharts().joined(separator: "\n"))
      </div>
      </body></html>
      """
  }

  /// The colour of run `index` in every chart.
  static func color(_ index: Int) -> String { RunReport.attackColors[index % RunReport.attackColors.count] }

  func color(_ run: Run) -> String { Self.color(runs.firstIndex { $0.folder == run.folder && $0.name == run.name } ?? 0) }

  func swatch(_ run: Run) -> String { "<span class=\"swatch\" style=\"background: \(color(run))\"></span>" }

  func escape(_ text: String) -> String { RunReport.escape(text) }

  /// `rows` as an HTML table, runs as columns; verdicts in colour.
  func tableHTML() -> String {
    let header = "<thead><tr><th></th>" + runs.map { "<th>\(swatch($0))\(escape($0.name))</th>" }.joined() + "</tr></thead>"
    let body = rows.map { row -> String in
      guard let cells = row.cells else {
        return "<tr class=\"group\"><th colspan=\"\(runs.count + 1)\">attack \(escape(row.label))</th></tr>"
      }
      let label = row.label.hasPrefix("  ") ? "<th class=\"indent\">" : "<th>"
      let values = zip(cells, runs).map { cell, run -> String in
        guard row.label == "verdict" else { return "<td>\(escape(cell))</td>" }
        return "<td><strong style=\"color: \(Self.verdictColor(run.audit?.verdict))\">\(escape(cell))</strong></td>"
      }
      return "<tr>\(label)\(escape(row.label.trimmingCharacters(in: .whitespaces)))</th>\(values.joined())</tr>"
    }.joined(separator: "\n")
    return "<table class=\"comparison\">\(header)\n<tbody>\n\(body)\n</tbody></table>"
  }

  /// Green for a pass, red for a violation or an invalid audit, orange for an untestable claim, grey otherwise (and for an audit that was off).
  static func verdictColor(_ verdict: AuditVerdict?) -> String {
    switch verdict {
    case .pass?: "#1a7f37"
    case .violation?, .invalid?: "#cf222e"
    case .untestable?: "#bc4c00"
    default: "#66727f"
    }
  }

  /// Per run, the claimed ε (grey) and the lower bound (blue; red on a VIOLATION) as horizontal
  /// bars on one scale, each labelled with its value; "none" and "audit off" said in words.
  func epsilonBars() -> String {
    let values = runs.flatMap { [$0.epsilonClaimed, $0.audit?.epsilonLowerBound] }.compactMap { $0 }.filter(\.isFinite)
    let maximum = max(values.max() ?? 0, 0.1) * 1.15
    let width = 620.0, left = 190.0, barWidth = width - left - 60, rowHeight = 44.0, top = 28.0
    let height = top + rowHeight * Double(runs.count)
    func bar(_ y: Double, _ value: Double?, _ color: String, missing: String) -> String {
      guard let value, value.isFinite else {
        return "<text x=\"\(left)\" y=\"\(y + 11)\" fill=\"#66727f\">\(escape(missing))</text>"
      }
      let length = max(1, value / maximum * barWidth)
      return "<rect x=\"\(left)\" y=\"\(y)\" width=\"\(length)\" height=\"14\" fill=\"\(color)\"/>"
        + "<text x=\"\(left + length + 6)\" y=\"\(y + 11)\">\(String(format: "%.3f", value))</text>"
    }
    var svg =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"system-ui, sans-serif\" font-size=\"11\">"
    svg += "<rect x=\"\(left)\" y=\"4\" width=\"12\" height=\"10\" fill=\"#9aa5b1\"/>"
    svg += "<text x=\"\(left + 16)\" y=\"13\">claimed ε</text>"
    svg += "<rect x=\"\(left + 90)\" y=\"4\" width=\"12\" height=\"10\" fill=\"#1f77b4\"/>"
    svg += "<text x=\"\(left + 106)\" y=\"13\">ε lower bound (red: VIOLATION)</text>"
    for (index, run) in runs.enumerated() {
      let y = top + rowHeight * Double(index)
      svg += "<rect x=\"0\" y=\"\(y + 10)\" width=\"10\" height=\"10\" fill=\"\(Self.color(index))\"/>"
      svg += "<text x=\"16\" y=\"\(y + 19)\">\(escape(Self.shortened(run.name, to: 28)))</text>"
      svg += bar(y, run.epsilonClaimed, "#9aa5b1", missing: "no ε claim covers the audited records")
      let boundColor = run.audit?.verdict == .violation ? "#cf222e" : "#1f77b4"
      svg += bar(y + 17, run.audit?.epsilonLowerBound, boundColor, missing: run.audit == nil ? "audit off" : "no bound")
    }
    return svg + "</svg>"
  }

  /// The ROC charts: each run's strongest attack, then one chart per attack (those with curves).
  func rocCharts() -> [String] {
    var charts: [String] = []
    let strongest = runs.enumerated().compactMap { index, run -> Chart.Series? in
      guard let attack = run.audit?.strongestAttack, !attack.roc.isEmpty else { return nil }
      let auc = attack.auc.map { String(format: ", AUC %.3f", $0) } ?? ""
      return Chart.Series(
        name: escape("\(Self.shortened(run.name, to: 32)): \(attack.name)\(auc)"),
        points: attack.roc.map { ($0.falsePositiveRate, $0.truePositiveRate) }, color: Self.color(index))
    }
    if !strongest.isEmpty {
      charts.append(
        Chart.logLogROC(title: "strongest attack of each run", series: strongest, floor: Self.floor(strongest)))
    }
    for name in attackNames {
      let series = runs.enumerated().compactMap { index, run -> Chart.Series? in
        guard let attack = run.audit?.attack(named: name), !attack.roc.isEmpty else { return nil }
        let auc = attack.auc.map { String(format: " (AUC %.3f)", $0) } ?? ""
        return Chart.Series(
          name: escape(Self.shortened(run.name, to: 40) + auc),
          points: attack.roc.map { ($0.falsePositiveRate, $0.truePositiveRate) }, color: Self.color(index))
      }
      guard !series.isEmpty else { continue }
      charts.append(Chart.logLogROC(title: "attack " + escape(name), series: series, floor: Self.floor(series)))
    }
    if charts.isEmpty { charts.append("<p class=\"muted\">No run has ROC curves (audit.json).</p>") }
    return charts
  }

  /// The axes' lower end: the power of ten at or below the smallest positive FPR of the curves
  /// (1/non-members for an unthinned start), between 1e-6 and 1e-1.
  static func floor(_ series: [Chart.Series]) -> Double {
    let smallest = series.flatMap(\.points).map(\.0).filter { $0 > 0 && $0.isFinite }.min() ?? 1e-3
    return min(1e-1, max(1e-6, pow(10, Foundation.floor(log10(smallest) + 1e-9))))
  }

  /// `text` cut to `limit` characters with an ellipsis, so a long name cannot overrun a chart.
  static func shortened(_ text: String, to limit: Int) -> String {
    text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
  }
}
