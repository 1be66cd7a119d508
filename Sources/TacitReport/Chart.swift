import Foundation

/// Inline SVG line charts for the HTML reports (no scripts, no external resources).
enum Chart {
  struct Series {
    var name: String
    var points: [(Double, Double)]
    var color: String
  }

  /// A line chart with linear axes, ticks, a legend and axis labels; non-finite points are
  /// skipped.
  static func lines(
    title: String, series: [Series], xLabel: String, yLabel: String, width: Double = 460, height: Double = 300
  ) -> String {
    // The legend sits between the title and the plot, one row per series, so it never hides a curve.
    let left = 58.0, right = 14.0, top = 34.0 + 14.0 * Double(series.count), bottom = 44.0
    let finite = series.flatMap(\.points).filter { $0.0.isFinite && $0.1.isFinite }
    guard !finite.isEmpty else { return "<p>\(title): no data</p>" }
    var xMin = finite.map(\.0).min()!, xMax = finite.map(\.0).max()!
    var yMin = finite.map(\.1).min()!, yMax = finite.map(\.1).max()!
    if xMax == xMin { xMin -= 0.5; xMax += 0.5 }
    if yMax == yMin { yMin -= 0.5; yMax += 0.5 }
    let padding = (yMax - yMin) * 0.05
    yMin -= padding
    yMax += padding
    let plotWidth = width - left - right, plotHeight = height - top - bottom
    func x(_ value: Double) -> Double { left + (value - xMin) / (xMax - xMin) * plotWidth }
    func y(_ value: Double) -> Double { top + (1 - (value - yMin) / (yMax - yMin)) * plotHeight }
    var svg =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"system-ui, sans-serif\" font-size=\"11\">"
    svg += "<text x=\"\(left)\" y=\"16\" font-size=\"13\" font-weight=\"600\">\(title)</text>"
    svg += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(plotWidth)\" height=\"\(plotHeight)\" fill=\"none\" stroke=\"#c9d1d9\"/>"
    for tick in ticks(yMin, yMax) {
      svg += "<line x1=\"\(left)\" x2=\"\(left + plotWidth)\" y1=\"\(y(tick))\" y2=\"\(y(tick))\" stroke=\"#eef1f4\"/>"
      svg += "<text x=\"\(left - 6)\" y=\"\(y(tick) + 4)\" text-anchor=\"end\">\(label(tick))</text>"
    }
    for tick in ticks(xMin, xMax) {
      svg += "<text x=\"\(x(tick))\" y=\"\(top + plotHeight + 16)\" text-anchor=\"middle\">\(label(tick))</text>"
    }
    svg += axisLabels(x: xLabel, y: yLabel, left: left, top: top, plotWidth: plotWidth, plotHeight: plotHeight, height: height)
    svg += polylines(series, left: left, strokeWidth: "1.8", x: x, y: y)
    return svg + "</svg>"
  }

  /// The axis labels: `x` centred under the plot, `y` rotated along its left side.
  static func axisLabels(
    x: String, y: String, left: Double, top: Double, plotWidth: Double, plotHeight: Double, height: Double
  ) -> String {
    "<text x=\"\(left + plotWidth / 2)\" y=\"\(height - 8)\" text-anchor=\"middle\">\(x)</text>"
      + "<text transform=\"translate(14 \(top + plotHeight / 2)) rotate(-90)\" text-anchor=\"middle\">\(y)</text>"
  }

  /// One polyline per series (non-finite points skipped; `x` and `y` map values to the plot) and
  /// its legend row above the plot.
  static func polylines(
    _ series: [Series], left: Double, strokeWidth: String, x: (Double) -> Double, y: (Double) -> Double
  ) -> String {
    var svg = ""
    for (index, entry) in series.enumerated() {
      let path = entry.points.filter { $0.0.isFinite && $0.1.isFinite }
        .map { String(format: "%.1f,%.1f", x($0.0), y($0.1)) }.joined(separator: " ")
      svg += "<polyline fill=\"none\" stroke=\"\(entry.color)\" stroke-width=\"\(strokeWidth)\" points=\"\(path)\"/>"
      let legendY = 34 + Double(index) * 14
      svg +=
        "<line x1=\"\(left)\" x2=\"\(left + 16)\" y1=\"\(legendY - 4)\" y2=\"\(legendY - 4)\" stroke=\"\(entry.color)\" stroke-width=\"2\"/>"
      svg += "<text x=\"\(left + 20)\" y=\"\(legendY)\">\(entry.name)</text>"
    }
    return svg
  }

  /// About five round tick values covering `[low, high]`.
  static func ticks(_ low: Double, _ high: Double) -> [Double] {
    let rawStep = (high - low) / 5
    let magnitude = pow(10, floor(log10(rawStep)))
    let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= rawStep } ?? rawStep
    var value = ceil(low / step) * step
    var result: [Double] = []
    while value <= high + step * 1e-9 {
      result.append(value)
      value += step
    }
    return result
  }

  static func label(_ value: Double) -> String {
    abs(value) >= 1000 || (abs(value) < 0.01 && value != 0) ? String(format: "%.2g", value) : String(format: "%.3g", value)
  }
}
