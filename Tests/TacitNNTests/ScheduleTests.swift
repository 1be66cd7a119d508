import Foundation
import TacitNN
import Testing

/// Learning-rate schedules against their closed forms at warm-up, step boundaries, and the
/// cosine's endpoints and interior points.
struct ScheduleTests {
  static func expectClose(_ actual: Float, _ expected: Double, _ comment: Comment? = nil) {
    #expect(abs(Double(actual) - expected) <= 1e-6 * max(1, abs(expected)), comment)
  }

  @Test func constantWithoutWarmUp() {
    let schedule = LearningRateSchedule(baseRate: 0.05)
    for step in [0, 1, 17, 999] {
      #expect(schedule.learningRate(step: step, stepsPerEpoch: 10, totalEpochs: 100) == 0.05)
    }
  }

  @Test func linearWarmUp() {
    // 2 epochs × 5 steps: η (s + 1) / 10 for s < 10, then η.
    let schedule = LearningRateSchedule(baseRate: 0.1, kind: .constant, warmUpEpochs: 2)
    let rates = (0..<12).map { schedule.learningRate(step: $0, stepsPerEpoch: 5, totalEpochs: 4) }
    for step in 0..<10 { Self.expectClose(rates[step], 0.1 * Double(step + 1) / 10, "step \(step)") }
    Self.expectClose(rates[10], 0.1)
    Self.expectClose(rates[11], 0.1)
    // Strictly increasing during warm-up, starting near zero.
    #expect(zip(rates[0..<9], rates[1..<10]).allSatisfy { $0 < $1 })
    #expect(rates[0] <= 0.1 / 9)
  }

  @Test func stepDecayBoundaries() {
    // ×0.5 every 2 epochs of 3 steps: epochs 0–1 (steps 0–5) η, epochs 2–3 (steps 6–11) η/2, ...
    let schedule = LearningRateSchedule(baseRate: 0.8, kind: .step(everyEpochs: 2, gamma: 0.5))
    let expected: [(Int, Double)] = [(0, 0.8), (5, 0.8), (6, 0.4), (11, 0.4), (12, 0.2), (17, 0.2), (18, 0.1)]
    for (step, rate) in expected {
      Self.expectClose(schedule.learningRate(step: step, stepsPerEpoch: 3, totalEpochs: 10), rate, "step \(step)")
    }
  }

  @Test func stepDecayAfterWarmUpCountsEpochsFromTheStart() {
    let schedule = LearningRateSchedule(baseRate: 1, kind: .step(everyEpochs: 2, gamma: 0.1), warmUpEpochs: 1)
    Self.expectClose(schedule.learningRate(step: 0, stepsPerEpoch: 4, totalEpochs: 6), 0.25)
    Self.expectClose(schedule.learningRate(step: 3, stepsPerEpoch: 4, totalEpochs: 6), 1)
    Self.expectClose(schedule.learningRate(step: 4, stepsPerEpoch: 4, totalEpochs: 6), 1)
    Self.expectClose(schedule.learningRate(step: 8, stepsPerEpoch: 4, totalEpochs: 6), 0.1)
  }

  @Test func cosineEndpointsAndMidpoint() {
    // 11 steps, no warm-up: u = s / 10.
    let schedule = LearningRateSchedule(baseRate: 1, kind: .cosine(minimum: 0.1))
    func rate(_ step: Int) -> Float { schedule.learningRate(step: step, stepsPerEpoch: 1, totalEpochs: 11) }
    Self.expectClose(rate(0), 1)
    Self.expectClose(rate(5), 0.55)
    Self.expectClose(rate(10), 0.1)
    Self.expectClose(rate(11), 0.1, "past the end stays at the minimum")
    Self.expectClose(rate(2), 0.1 + 0.9 * (1 + cos(Double.pi * 0.2)) / 2)
    // Monotone non-increasing.
    let rates = (0...10).map(rate)
    #expect(zip(rates.dropLast(), rates.dropFirst()).allSatisfy { $0 >= $1 })
  }

  @Test func cosineAfterWarmUp() {
    // W = 2 warm-up steps, S = 12: decay over steps 2…11, u = (s − 2) / 9.
    let schedule = LearningRateSchedule(baseRate: 0.2, kind: .cosine(minimum: 0), warmUpEpochs: 1)
    func rate(_ step: Int) -> Float { schedule.learningRate(step: step, stepsPerEpoch: 2, totalEpochs: 6) }
    Self.expectClose(rate(0), 0.1)
    Self.expectClose(rate(1), 0.2)
    Self.expectClose(rate(2), 0.2)
    Self.expectClose(rate(3), 0.2 * (1 + cos(Double.pi / 9)) / 2)
    Self.expectClose(rate(11), 0)
  }

  @Test func cosineWithOneStepAfterWarmUpEndsAtMinimum() {
    let schedule = LearningRateSchedule(baseRate: 1, kind: .cosine(minimum: 0.25), warmUpEpochs: 1)
    Self.expectClose(schedule.learningRate(step: 0, stepsPerEpoch: 1, totalEpochs: 2), 1)
    Self.expectClose(schedule.learningRate(step: 1, stepsPerEpoch: 1, totalEpochs: 2), 0.25)
  }
}
