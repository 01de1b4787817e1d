import Foundation
import NeuralNet
import Notebook
import Tensor

/// Keras Tuner's three searches, as pure functions of the space and the seed (no training here).

/// Hyperband's brackets as Keras Tuner's `HyperbandOracle` computes them (Li et al. 2017): bracket
/// `s` from `brackets − 1` down to 0; round `r` of bracket `s` runs `size(s, r)` trials to `epochs(s, r)`
/// epochs, continuing the best of round r − 1 from where they stopped.
public struct HyperbandSchedule: Equatable, Sendable {
    public struct Round: Equatable, Sendable {
        public var trials: Int
        public var epochs: Int
    }
    public struct Bracket: Equatable, Sendable {
        public var number: Int
        public var rounds: [Round]
    }

    public var maxEpochs: Int
    public var factor: Int
    /// In the order they run: the most aggressive bracket first.
    public var brackets: [Bracket]

    public init(maxEpochs: Int, factor: Int) {
        self.maxEpochs = maxEpochs
        self.factor = factor
        // _get_num_brackets: divide max_epochs by factor while it stays >= min_epochs (1).
        var count = 0
        var epochs = Double(maxEpochs)
        while epochs >= 1 { epochs /= Double(factor); count += 1 }
        // _get_size: bracket 0 ends with ceil(1 + log_factor(max_epochs)) trials; Python's math.log(x, base) is log(x)/log(base).
        let bracket0EndSize = (1 + Foundation.log(Double(maxEpochs)) / Foundation.log(Double(factor))).rounded(.up)
        brackets = (0..<count).reversed().map { s in
            let endSize = bracket0EndSize / Double(s + 1)
            return Bracket(number: s, rounds: (0...s).map { r in
                Round(trials: Int((endSize * pow(Double(factor), Double(s - r))).rounded(.up)),
                      epochs: Int((Double(maxEpochs) / pow(Double(factor), Double(s - r))).rounded(.up)))
            })
        }
    }

    public var totalTrials: Int { brackets.reduce(0) { $0 + $1.rounds.reduce(0) { $0 + $1.trials } } }
}

/// Every combination of the lists, the last dimension changing fastest.
func gridTrials(_ dimensions: [SearchDimension]) -> [[String: ParamValue]] {
    var combinations: [[String: ParamValue]] = [[:]]
    for dimension in dimensions {
        guard case .choices(let values) = dimension.values else { continue }
        combinations = combinations.flatMap { partial in values.map { partial.merging([dimension.name: $0]) { $1 } } }
    }
    return combinations
}

/// Random values for one trial from `rng`: a list picks one value, a range draws (log-)uniformly,
/// rounded for an integer parameter.
func randomValues(_ dimensions: [SearchDimension], integer: (SearchDimension) -> Bool,
                  using rng: inout SeededGenerator) -> [String: ParamValue] {
    var values: [String: ParamValue] = [:]
    for dimension in dimensions {
        let u = Double(rng.next() >> 11) * 0x1p-53       // [0, 1)
        switch dimension.values {
        case .choices(let list):
            values[dimension.name] = list[min(Int(u * Double(list.count)), list.count - 1)]
        case .uniform(let lo, let hi):
            let x = lo + u * (hi - lo)
            values[dimension.name] = integer(dimension) ? .int(Int(x.rounded())) : .double(x)
        case .logUniform(let lo, let hi):
            let x = exp(log(lo) + u * (log(hi) - log(lo)))
            values[dimension.name] = integer(dimension) ? .int(Int(x.rounded())) : .double(x)
        }
    }
    return values
}

/// RandomSearch's trials: `count` draws, each from its own stream of the seed; a combination already
/// drawn is drawn again, up to 100 times, after which the search stops early as Keras Tuner's does.
func randomTrials(_ dimensions: [SearchDimension], count: Int, seed: Int, integer: (SearchDimension) -> Bool) -> [[String: ParamValue]] {
    var trials: [[String: ParamValue]] = []
    var seen: Set<String> = []
    var rng = SeededGenerator.derived(seed: UInt64(bitPattern: Int64(seed)), stream: 7_000)
    outer: for _ in 0..<count {
        for _ in 0..<100 {
            let values = randomValues(dimensions, integer: integer, using: &rng)
            if seen.insert(ParamValue.map(values).canonical).inserted {
                trials.append(values)
                continue outer
            }
        }
        break
    }
    return trials
}
