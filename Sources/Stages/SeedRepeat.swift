import Foundation
import NeuralNet
import Report

/// `train.repeat: N`: the same configuration trained from N seeds (the notebook's, then + 1000, + 2000, …,
/// as ensemble members are seeded), each scored on the test set, so a lab can see how far results move
/// with the seed alone before it believes an effect.
struct SeedResult: Codable, Equatable {
    var seed: UInt64
    var epochsRun: Int
    /// Of the weights the model kept (the restored best epoch, or the last).
    var valAccuracy: Double?
    var valLoss: Double?
    var testAccuracy: Double
    var testLoss: Double
    var seconds: Double
    /// Per epoch: val_accuracy (accuracy without a validation set), for the band.
    var curve: [Double]

    init(seed: UInt64, history: History, test: Evaluation, seconds: Double) {
        self.seed = seed
        epochsRun = history.epochs.count
        let kept = history.epochs.first { $0.epoch == history.finalWeightsEpoch } ?? history.epochs.last
        valAccuracy = kept?.valAccuracy
        valLoss = kept?.valLoss
        testAccuracy = test.accuracy
        testLoss = test.loss
        self.seconds = seconds
        curve = history.epochs.map { $0.valAccuracy ?? $0.accuracy }
    }
}

/// Mean and sample standard deviation (n − 1; 0 for one value).
struct Spread: Equatable {
    var mean: Double
    var sd: Double

    init(_ values: [Double]) {
        let n = Double(values.count)
        mean = values.isEmpty ? .nan : values.reduce(0, +) / n
        let m = mean
        sd = values.count < 2 ? 0 : (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / (n - 1)).squareRoot()
    }

    /// `97.12% ± 0.31 pt`.
    var percentText: String { "\(percent(mean, digits: 2)) ± \(fixed(sd * 100, 2)) pt" }
}

extension Array where Element == SeedResult {
    var testAccuracy: Spread { Spread(map(\.testAccuracy)) }
    var testLoss: Spread { Spread(map(\.testLoss)) }
    var valAccuracy: Spread? { allSatisfy { $0.valAccuracy != nil } ? Spread(compactMap(\.valAccuracy)) : nil }
    var valLoss: Spread? { allSatisfy { $0.valLoss != nil } ? Spread(compactMap(\.valLoss)) : nil }
    var epochsRun: Spread { Spread(map { Double($0.epochsRun) }) }
}

/// Trains seeds 2…n (seed 1 is the model `train` just fitted, which stays the workspace's model) and
/// scores every seed's model on the test set.
func repeatTraining(_ first: Model, history: History, seconds: Double, count: Int, configuration: TrainingConfiguration,
                    data: LoadedData, validation: ImageSet?, context: StageContext) throws -> [SeedResult] {
    var results = [SeedResult(seed: configuration.seed, history: history, test: score(first, on: data.test, split: .test), seconds: seconds)]
    for index in 1..<count {
        let again = try trainAgain(first, index: index, of: count, name: "repeat", configuration: configuration,
                                   data: data, validation: validation, context: context)
        results.append(SeedResult(seed: again.seed, history: again.history, test: score(again.model, on: data.test, split: .test),
                                  seconds: again.seconds))
    }
    return results
}

/// The per-seed table with mean ± sd, and the curves as the mean line over a shaded band of mean ± one sd.
func repeatOutputs(_ results: [SeedResult], validation: Bool) -> [Output] {
    func cell(_ x: Double?) -> String { x.map { fixed($0, 4) } ?? "–" }
    var rows = results.map { r in
        ["\(r.seed)", "\(r.epochsRun)", cell(r.valAccuracy), cell(r.valLoss), fixed(r.testAccuracy, 4), fixed(r.testLoss, 4), fixed(r.seconds, 1)]
    }
    let spreads: [Spread?] = [results.epochsRun, results.valAccuracy, results.valLoss, results.testAccuracy, results.testLoss]
    rows.append(["mean"] + spreads.map { $0.map { fixed($0.mean, 4) } ?? "–" } + [""])
    rows.append(["standard deviation"] + spreads.map { $0.map { fixed($0.sd, 4) } ?? "–" } + [""])
    var outputs: [Output] = [
        .note("repeat: \(results.count) — the same configuration trained from \(results.count) seeds (\(results.map { "\($0.seed)" }.joined(separator: ", "))), "
            + "each model scored on the test set here. Test accuracy \(results.testAccuracy.percentText) (mean ± sample standard deviation): "
            + "a difference between two settings smaller than twice the larger standard deviation is within seed noise. "
            + "The steps after this one use the first seed's model."),
        .table(Table(caption: "Every seed", header: ["seed", "epochs", "val_accuracy", "val_loss", "test accuracy", "test loss", "seconds"],
                     rows: rows, alignRight: [1, 2, 3, 4, 5, 6])),
    ]
    if let chart = seedBandChart(results, validation: validation) { outputs.append(.lineChart(chart)) }
    return outputs
}

/// Each epoch's mean over the seeds as a line, on a shaded band from mean − sd to mean + sd (sample sd);
/// nil when no seed has a curve.
func seedBandChart(_ results: [SeedResult], validation: Bool) -> LineChart? {
    let length = results.map(\.curve.count).max() ?? 0
    guard length > 0 else { return nil }
    var mean: [Double] = [], low: [Double] = [], high: [Double] = []
    for epoch in 0..<length {
        // Seeds that stopped early drop out of the later epochs' band.
        let spread = Spread(results.compactMap { $0.curve.indices.contains(epoch) ? $0.curve[epoch] : nil })
        mean.append(spread.mean); low.append(spread.mean - spread.sd); high.append(spread.mean + spread.sd)
    }
    let name = validation ? "val_accuracy" : "accuracy"
    return LineChart(title: "\(name) over \(results.count) seeds", xLabel: "epoch", yLabel: name, series: [("mean", mean)],
                     bands: [ChartBand(name: "mean ± 1 sd over \(results.count) seeds", low: low, high: high, around: 0)])
}

/// Whether two results differ by less than twice the larger of their standard deviations (nil when neither has one).
func withinSeedNoise(_ a: Double, sdA: Double?, _ b: Double, sdB: Double?) -> Bool? {
    guard let larger = [sdA, sdB].compactMap({ $0 }).max() else { return nil }
    return abs(a - b) < 2 * larger
}
