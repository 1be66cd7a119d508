import Foundation
import TacitAudit

extension RunReport {
  /// Colours of the attacks' curves, in `audit.attacks` order.
  static let attackColors = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
  ]

  /// The audit: verdict, claimed ε against the lower bound, the attacks' table, ROC curves on
  /// log–log axes, the strongest attack's score histograms, the canary audit and the caveats.
  static func auditSection(_ audit: AuditOutcome?) -> String {
    guard let audit else { return "<h2>Audit</h2><p>The audit was turned off (audit.enabled: false).</p>" }
    let verdictColor =
      switch audit.verdict {
      case .pass: "#1a7f37"
      case .violation: "#cf222e"
      case .measured, .none: "#66727f"
      }
    let claim = audit.epsilonClaimed.map { String(format: "%.3f", $0) } ?? "none (non-private run)"
    var html = """
      <h2>Audit</h2>
      <p style="font-size: 1.3em"><strong style="color: \(verdictColor)">\(audit.verdict.rawValue)</strong> ·
      empirical ε lower bound <strong>\(String(format: "%.3f", audit.epsilonLowerBound))</strong> at
      \(String(format: "%.0f", 100 * audit.confidence))% confidence (δ = \(String(format: "%.1e", audit.delta))) ·
      claimed ε \(claim)</p>
      <p class="muted">\(escape(audit.boundSource.map { "Largest bound from " + $0 + "." } ?? "No attack or canary gave a positive bound.")) Each of the
      \(audit.attacks.count + (audit.canaries == nil ? 0 : 1)) bounds is computed at confidence 1 − α/B so that the largest holds at the stated
      confidence. Population: \(audit.memberCount) members, \(audit.nonMemberCount) non-members, \(audit.referenceModels) reference models.</p>
      """
    html += epsilonBar(audit)
    if !audit.attacks.isEmpty {
      let rows = audit.attacks.map { attack -> String in
        let tpr = attack.metrics.tprAtFPR
        let interval = attack.metrics.aucInterval.map { String(format: " [%.4f, %.4f]", $0.lower, $0.upper) } ?? ""
        return "<tr><th>\(escape(attack.name))</th><td>\(String(format: "%.4f", attack.metrics.auc))\(interval)</td>"
          + "<td>\(String(format: "%.4f", attack.metrics.advantage))</td>"
          + ["0.1", "0.01", "0.001"].map { "<td>\(String(format: "%.4f", tpr[$0] ?? .nan))</td>" }.joined()
          + "<td>\(String(format: "%.3f", attack.epsilon.epsilon))</td></tr>"
      }.joined(separator: "\n")
      html += """
        <table><tr><th>attack</th><th>AUC [interval]</th><th>advantage</th><th>TPR@10% FPR</th><th>TPR@1%</th><th>TPR@0.1%</th><th>ε lower bound</th></tr>
        \(rows)</table>
        """
      let series = audit.attacks.enumerated().map { index, attack in
        let roc = AuditOutcome.thinnedROC(attack.roc)
        return Chart.Series(
          name: attack.name, points: Array(zip(roc["fpr"] ?? [], roc["tpr"] ?? [])),
          color: attackColors[index % attackColors.count])
      }
      let records = Double(max(audit.nonMemberCount, 1))
      let floor = pow(10, floor(log10(1 / records)))
      html += "<div class=\"charts\">"
      html += Chart.logLogROC(title: "ROC curves (log–log)", series: series, floor: max(floor, 1e-6))
      if let strongest = audit.strongestAttack {
        let members = zip(strongest.scores.scores, strongest.scores.isMember).filter(\.1).map(\.0)
        let nonMembers = zip(strongest.scores.scores, strongest.scores.isMember).filter { !$0.1 }.map(\.0)
        html += Chart.histogram(
          title: "scores of the strongest attack (\(strongest.name))", first: ("members", members, "#d62728"),
          second: ("non-members", nonMembers, "#1f77b4"), xLabel: "\(strongest.name) score")
      }
      html += "</div>"
    }
    if let canaries = audit.canaries {
      html += """
        <h3>Canary audit (one run)</h3>
        <p>\(canaries.count) \(escape(canaries.kind)) canaries, each included with probability ½; \(canaries.guesses) guesses
        (highest and lowest scores, fixed before training), \(canaries.correct) right: ε lower bound
        \(String(format: "%.3f", canaries.epsilonLowerBound)) at \(String(format: "%.2f", 100 * canaries.confidence))% confidence.
        With these many guesses the bound cannot exceed \(String(format: "%.3f", canaries.ceiling)) (every guess right):
        a claimed ε above that cannot be refuted by this audit.</p>
        """
    }
    if let estimate = audit.gdpEstimate {
      html +=
        "<p class=\"muted\">GDP estimate from \(escape(estimate.attack)) (Nasr et al. 2023; an estimate under a Gaussian-DP assumption, not a bound): "
        + String(format: "μ = %.3f, ε ≈ %.3f.", estimate.mu, estimate.epsilon) + "</p>"
    }
    if !audit.caveats.isEmpty {
      html += "<ul>" + audit.caveats.map { "<li>\(escape($0))</li>" }.joined() + "</ul>"
    }
    return html
  }

  /// Claimed ε and the lower bound as two horizontal bars on one scale.
  static func epsilonBar(_ audit: AuditOutcome) -> String {
    let claimed = audit.epsilonClaimed
    let maximum = max(audit.epsilonLowerBound, claimed ?? 0, 0.1) * 1.15
    let width = 460.0, left = 130.0, barWidth = width - left - 60
    func bar(_ y: Double, _ label: String, _ value: Double, _ color: String) -> String {
      let length = max(1, value / maximum * barWidth)
      return "<text x=\"0\" y=\"\(y + 12)\">\(label)</text>"
        + "<rect x=\"\(left)\" y=\"\(y)\" width=\"\(length)\" height=\"16\" fill=\"\(color)\"/>"
        + "<text x=\"\(left + length + 6)\" y=\"\(y + 12)\">\(String(format: "%.3f", value))</text>"
    }
    var svg =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"60\" font-family=\"system-ui, sans-serif\" font-size=\"11\">"
    svg += bar(4, "ε lower bound", audit.epsilonLowerBound, audit.verdict == .violation ? "#cf222e" : "#1f77b4")
    if let claimed { svg += bar(32, "claimed ε", claimed, "#9aa5b1") }
    return svg + "</svg>"
  }
}
