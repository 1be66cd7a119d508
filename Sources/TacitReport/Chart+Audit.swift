import Foundation

extension Chart {
  /// ROC curves on log–log axes (TPR against FPR, both from `floor` to 1) with the chance line
  /// TPR = FPR dashed: the low-FPR region where membership inference matters is visible
  /// (Carlini et al. 2022 §III). Points with a zero coordinate sit on the axis at `floor`.
  static func logLogROC(title: String, series: [Series], floor: Double, width: Double = 460, height: Double = 380)
    -> String
  {
    let left = 58.0, right = 14.0, top = 34.0 + 14.0 * Double(series.count), bottom = 44.0
    let plotWidth = width - left - right, plotHeight = height - top - bottom
    let decades = -log10(floor)
    func position(_ value: Double) -> Double { (log10(max(value, floor)) + decades) / decades }
    func x(_ value: Double) -> Double { left + position(value) * plotWidth }
    func y(_ value: Double) -> Double { top + (1 - position(value)) * plotHeight }
    var svg =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"system-ui, sans-serif\" font-size=\"11\">"
    svg += "<text x=\"\(left)\" y=\"16\" font-size=\"13\" font-weight=\"600\">\(title)</text>"
    svg += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(plotWidth)\" height=\"\(plotHeight)\" fill=\"none\" stroke=\"#c9d1d9\"/>"
    var exponent = Int(ceil(log10(floor)))
    while exponent <= 0 {
      let value = pow(10, Double(exponent))
      let text = exponent == 0 ? "1" : "1e\(exponent)"
      svg += "<line x1=\"\(left)\" x2=\"\(left + plotWidth)\" y1=\"\(y(value))\" y2=\"\(y(value))\" stroke=\"#eef1f4\"/>"
      svg += "<line x1=\"\(x(value))\" x2=\"\(x(value))\" y1=\"\(top)\" y2=\"\(top + plotHeight)\" stroke=\"#eef1f4\"/>"
      svg += "<text x=\"\(left - 6)\" y=\"\(y(value) + 4)\" text-anchor=\"end\">\(text)</text>"
      svg += "<text x=\"\(x(value))\" y=\"\(top + plotHeight + 16)\" text-anchor=\"middle\">\(text)</text>"
      exponent += 1
    }
    svg +=
      "<line x1=\"\(x(floor))\" y1=\"\(y(floor))\" x2=\"\(x(1))\" y2=\"\(y(1))\" stroke=\"#888\" stroke-dasharray=\"4 3\"/>"
    svg += axisLabels(
      x: "false positive rate", y: "true positive rate", left: left, top: top, plotWidth: plotWidth,
      plotHeight: plotHeight, height: height)
    svg += polylines(series, left: left, strokeWidth: "1.6", x: x, y: y)
    return svg + "</svg>"
  }

  /// Overlaid histograms of two score samples (members, non-members) on shared bins, as
  /// step outlines, normalised to fractions of each sample.
  static func histogram(
    title: String, first: (name: String, values: [Double], color: String),
    second: (name: String, values: [Double], color: String), bins: Int = 40, xLabel: String
  ) -> String {
    let all = (first.values + second.values).filter(\.isFinite).sorted()
    guard all.count >= 2 else { return "<p>\(title): no data</p>" }
    // Clip the range to the 0.5%–99.5% quantiles so a few extreme scores do not flatten the plot.
    let low = all[Int(0.005 * Double(all.count - 1))], high = all[Int(0.995 * Double(all.count - 1))]
    let span = high > low ? high - low : 1
    func counts(_ values: [Double]) -> [Double] {
      var result = Array(repeating: 0.0, count: bins)
      for value in values where value.isFinite {
        let bin = min(bins - 1, max(0, Int((value - low) / span * Double(bins))))
        result[bin] += 1
      }
      return result.map { $0 / Double(max(values.count, 1)) }
    }
    func steps(_ fractions: [Double]) -> [(Double, Double)] {
      var points: [(Double, Double)] = []
      for (bin, fraction) in fractions.enumerated() {
        let start = low + span * Double(bin) / Double(bins), end = low + span * Double(bin + 1) / Double(bins)
        points.append((start, fraction))
        points.append((end, fraction))
      }
      return points
    }
    return lines(
      title: title,
      series: [
        Series(name: first.name, points: steps(counts(first.values)), color: first.color),
        Series(name: second.name, points: steps(counts(second.values)), color: second.color),
      ], xLabel: xLabel, yLabel: "fraction of records")
  }
}
