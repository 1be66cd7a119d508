extension GaussianNoise {
  /// Samples per second of `addGaussianNoise` on a buffer of `count` floats, with the operating
  /// system's generator (`secure`, what a released model must use) and with `SeededGenerator`.
  ///
  /// Best of five runs after a warm-up, wall-clock time from `ContinuousClock`; for `tacit bench`.
  /// The secure figure includes generating the ChaCha12 keystream (4 bytes per sample); on a
  /// loaded machine both figures are rough.
  public static func measureThroughput(count: Int = 1 << 20) -> (secure: Double, seeded: Double) {
    precondition(count > 0, "count must be positive, got \(count)")
    var buffer = [Float](repeating: 0, count: count)
    var secure = SecureGenerator()
    var seeded = SeededGenerator(seed: 0x5EED)
    let secureRate = buffer.withUnsafeMutableBufferPointer { pointer in
      bestRate(count: count) { addGaussianNoise(to: pointer, standardDeviation: 1, using: &secure) }
    }
    let seededRate = buffer.withUnsafeMutableBufferPointer { pointer in
      bestRate(count: count) { addGaussianNoise(to: pointer, standardDeviation: 1, using: &seeded) }
    }
    return (secureRate, seededRate)
  }

  /// `count` divided by the shortest of five timed runs of `body` (after one untimed run).
  private static func bestRate(count: Int, _ body: () -> Void) -> Double {
    let clock = ContinuousClock()
    body()
    var shortest = Double.infinity
    for _ in 0..<5 {
      let duration = clock.measure(body)
      let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
      shortest = Swift.min(shortest, seconds)
    }
    return Double(count) / shortest
  }
}
