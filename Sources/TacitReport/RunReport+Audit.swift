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
      case .violation, .invalid: "#cf222e"
      case .untestable: "#bc4c00"
      case .measured, .none: "#66727f"
      }
    let claim = audit.epsilonClaimed.map { String(format: "%.3f", $0) } ?? "none (non-private run)"
    var html = """
      <h2>Audit</h2>
      <p style="font-size: 1.3em"><strong style="color: \(verdictColor)">\(audit.verdict.rawValue)</strong> ·
      empirical ε lower bound <strong>\(String(format: "%.3f", audit.epsilonLowerBound))</strong> at
      \(String(format: "%.0f", 100 * audit.confidence))% confidence (δ = \(String(format: "%.1e", audit.delta))) ·
      claimed ε \(claim)\(audit.ceiling.map { " · ceiling " + String(format: "%.3f", $0) } ?? "")</p>
      <p class="muted">\(escape(audit.boundSource.map { "Largest bound from " + $0 + "." } ?? "No attack or canary gave a positive bound.")) Each of the
      \(audit.attacks.count + (audit.canaries == nil ? 0 : 1)) bounds is computed at confidence 1 − α/B so that the largest holds at the stated
      confidence. Population: \(audit.memberCount) members, \(audit.nonMemberCount) non-members, \(audit.referenceModels) reference models.</p>
      """
    if audit.verdict == .untestable, let ceiling = audit.ceiling {
      html += """
        <p style="color: #bc4c00"><strong>UNTESTABLE:</strong> the claimed ε is at or above
        \(String(format: "%.3f", ceiling)), the most this audit could show (every guess right, a perfect attack).
        No outcome of this audit could refute the claim, so its bound is no evidence for it.</p>
        """
    }
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
      html += allowedAUCParagraph(audit)
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
      html += perplexityHistogram(audit)
      html += "</div>"
    }
    if let canaries = audit.canaries { html += canarySection(canaries, claimed: audit.epsilonClaimed) }
    if let gate = audit.blindBaseline { html += blindBaselineSection(gate) }
    if !audit.secrets.isEmpty { html += secretSection(audit) }
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

  /// The AUC the claimed (ε, δ) allows (`AuditOutcome.allowedAUC`), and whether an attack exceeds
  /// it; empty without a claim.
  static func allowedAUCParagraph(_ audit: AuditOutcome) -> String {
    guard let allowed = audit.allowedAUC else { return "" }
    let exceeding = audit.attacksExceedingAllowedAUC
    return "<p class=\"muted\">The claimed (ε, δ) allows an attack AUC of at most \(String(format: "%.5f", allowed)) "
      + "(the area under the best ROC curve an (ε, δ)-DP mechanism permits): "
      + (exceeding.isEmpty
        ? "every attack is within it.</p>" : "<b>exceeded</b> by \(escape(exceeding.joined(separator: ", "))).</p>")
  }

  /// A language model's (its audit has the blind baseline) members' and non-members' log
  /// perplexity, the loss attack's scores negated; empty for other models.
  static func perplexityHistogram(_ audit: AuditOutcome) -> String {
    guard audit.blindBaseline != nil, let loss = audit.attacks.first(where: { $0.name == "loss" }) else { return "" }
    let members = zip(loss.scores.scores, loss.scores.isMember).filter(\.1).map { -$0.0 }
    let nonMembers = zip(loss.scores.scores, loss.scores.isMember).filter { !$0.1 }.map { -$0.0 }
    return Chart.histogram(
      title: "log perplexity of member and non-member texts", first: ("members", members, "#d62728"),
      second: ("non-members", nonMembers, "#1f77b4"), xLabel: "loss (nats per token) = log perplexity")
  }

  /// The secret-sharer canaries: exposure against insertions, a row per canary, and what a DP
  /// claim allows.
  static func secretSection(_ audit: AuditOutcome) -> String {
    let f2 = { (value: Double) in String(format: "%.2f", value) }
    let maximum = audit.secrets[0].maximum
    let claim = audit.deltaIsDefault ? nil : audit.epsilonClaimed
    var rows = ""
    for secret in audit.secrets.sorted(by: { ($0.insertions, $0.secret) < ($1.insertions, $1.secret) }) {
      let allowed = claim.map {
        SecretCanaryResult.allowedExposure(
          epsilon: $0, delta: audit.delta, insertions: audit.accountedCopies(insertions: secret.insertions), maximum: maximum
        )
        .map(f2) ?? "no bound"
      }
      rows +=
        "<tr><td>\(secret.insertions)</td><td><code>\(escape(secret.secret))</code></td><td>\(f2(secret.exposure))</td>"
        + "<td>\(secret.rank.map { String(format: "%.0f", $0) } ?? "—")</td><td>\(secret.extracted ? "yes" : "no")</td>"
        + (allowed.map { "<td>\($0)</td>" } ?? "") + "</tr>"
    }
    let counts = Array(Set(audit.secrets.map(\.insertions))).sorted()
    let means = counts.map { count in
      let group = audit.secrets.filter { $0.insertions == count }.map(\.exposure)
      return (Double(count), group.reduce(0, +) / Double(group.count))
    }
    let chart = Chart.lines(
      title: "secret canaries: exposure against insertions",
      series: [
        .init(name: "mean exposure", points: means, color: "#d62728"),
        .init(name: "log₂|R| (ranked first)", points: counts.map { (Double($0), maximum) }, color: "#8c959f"),
      ], xLabel: "insertions k", yLabel: "exposure (bits)")
    let unitNote =
      audit.secretCopiesAreOneUser
      ? " Under privacy.unit: user each canary's k copies are one user: the claim covers them as one unit, so the"
        + " allowed exposure is the single-insertion one whatever k is." : ""
    return """
      <h3>Secret-sharer canaries</h3>
      <p>Each canary is the recipe's format with random digits, trained on k times; its exposure is
      log₂|R| − log₂ rank among all |R| candidates (at most \(f2(maximum)) bits: ranked first;
      \(escape(audit.secrets[0].method))). Carlini et al. 2019.\(unitNote)</p>
      \(chart)
      <table><tr><th>insertions</th><th>secret</th><th>exposure (bits)</th><th>rank</th><th>extracted</th>\(claim == nil ? "" : "<th>(ε, δ) allows (95%)</th>")</tr>\(rows)</table>
      """
  }

  /// A language model's validity gate: can a classifier that never sees the model tell the
  /// member texts from the non-member texts?
  static func blindBaselineSection(_ gate: BlindBaseline) -> String {
    let valid = gate.verdict == .valid
    let f3 = { (value: Double) in String(format: "%.3f", value) }
    let meaning =
      valid
      ? "The interval contains 0.5: no difference between member and non-member texts that the attacks could mistake for membership."
      : "The interval excludes 0.5: the texts differ without the model, so the attacks above measure that shift, not membership."
    return """
      <h3>Validity gate: the blind baseline</h3>
      <p>A naive Bayes classifier on byte 1–3-grams, trained on half of the member and non-member texts without
      ever querying the model, scores the other half: AUC <strong>\(f3(gate.auc))</strong>,
      \(String(format: "%.0f", 100 * gate.aucInterval.confidence))% interval
      [\(f3(gate.aucInterval.lower)), \(f3(gate.aucInterval.upper))] on \(gate.heldOut.memberCount) +
      \(gate.heldOut.nonMemberCount) held-out texts:
      <strong style="color: \(valid ? "#1a7f37" : "#cf222e")">\(gate.verdict.rawValue)</strong>. \(meaning)</p>
      """
  }

  /// The canary audit: the headline against the claim and the ceiling, the guess selection, each
  /// analysis' bound, the paths the canaries exercised and the mechanism checks.
  static func canarySection(_ canaries: CanaryResult, claimed: Double?) -> String {
    let f3 = { (value: Double) in String(format: "%.3f", value) }
    let claim = claimed.map { "claimed ε " + f3($0) } ?? "no ε claimed"
    var html = """
      <h3>Canary audit (one run)</h3>
      <p>\(canaries.count) \(escape(canaries.kind)) canaries, each included with probability ½. Guesses:
      \(escape(canaries.selection)). ε lower bound <strong>\(f3(canaries.epsilonLowerBound))</strong>
      (\(canaries.correct) of \(canaries.guesses) guesses right) at \(String(format: "%.2f", 100 * canaries.confidence))%
      confidence · \(claim) · ceiling <strong>\(f3(canaries.ceiling))</strong>: the bound if every guess were right,
      the most this audit could show; a claimed ε at or above it cannot be refuted by these canaries.</p>
      <table><tr><th>analysis</th><th>ε lower bound</th><th>guesses (IN, OUT)</th><th>right</th><th>ceiling of that configuration</th><th>confidence</th></tr>
      """
    for bound in canaries.bounds {
      html +=
        "<tr><th>\(escape(bound.names.method))</th><td>\(f3(bound.epsilonLowerBound))</td>"
        + "<td>\(bound.guesses) (\(bound.positiveGuesses), \(bound.negativeGuesses))</td><td>\(bound.correct)</td>"
        + "<td>\(f3(bound.ceiling))</td><td>\(String(format: "%.4f%%", 100 * bound.configurationConfidence))</td></tr>\n"
    }
    html += "</table>"
    html +=
      "<p class=\"muted\">Implementation paths these canaries exercised: "
      + canaries.paths.map(escape).joined(separator: "; ") + ".</p>"
    guard !canaries.mechanismChecks.isEmpty else {
      return html + "<p class=\"muted\">No mechanism checks were measured in this run.</p>"
    }
    html +=
      "<h3>Mechanism checks (white-box, measured on the gradient canaries)</h3>"
      + "<table><tr><th>check</th><th>measured</th><th>accounted</th><th>standard error</th><th>observations</th><th>status</th></tr>"
    for check in canaries.mechanismChecks {
      let color =
        switch check.status {
        case .passed: "#1a7f37"
        case .deviates: "#bc4c00"
        case .failed: "#cf222e"
        }
      html +=
        "<tr><th>\(escape(check.kind.rawValue))</th><td>\(String(format: "%.4g", check.measured))</td>"
        + "<td>\(String(format: "%.4g", check.accounted))</td><td>\(String(format: "%.3g", check.standardError))</td>"
        + "<td>\(check.observations)</td><td><strong style=\"color: \(color)\">\(check.status.rawValue)</strong></td></tr>"
    }
    return html + "</table>"
  }

  /// Claimed ε, the lower bound and the audit's ceiling as horizontal bars on one scale.
  static func epsilonBar(_ audit: AuditOutcome) -> String {
    let claimed = audit.epsilonClaimed
    let maximum = max(audit.epsilonLowerBound, claimed ?? 0, audit.ceiling ?? 0, 0.1) * 1.15
    let width = 460.0, left = 130.0, barWidth = width - left - 60
    func bar(_ y: Double, _ label: String, _ value: Double, _ color: String) -> String {
      let length = max(1, value / maximum * barWidth)
      return "<text x=\"0\" y=\"\(y + 12)\">\(label)</text>"
        + "<rect x=\"\(left)\" y=\"\(y)\" width=\"\(length)\" height=\"16\" fill=\"\(color)\"/>"
        + "<text x=\"\(left + length + 6)\" y=\"\(y + 12)\">\(String(format: "%.3f", value))</text>"
    }
    var svg =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(audit.ceiling == nil ? 60 : 88)\" font-family=\"system-ui, sans-serif\" font-size=\"11\">"
    svg += bar(4, "ε lower bound", audit.epsilonLowerBound, audit.verdict == .violation ? "#cf222e" : "#1f77b4")
    if let claimed { svg += bar(32, "claimed ε", claimed, "#9aa5b1") }
    if let ceiling = audit.ceiling { svg += bar(60, "ceiling", ceiling, "#d4a72c") }
    return svg + "</svg>"
  }
}
