import Foundation
import NeuralNet

/// One more training of the model `train` just fitted: its architecture and configuration from another seed.
struct Retrained {
    var seed: UInt64
    var model: Model
    var history: History
    var seconds: Double
}

/// Run `index` (0-based) of `count` that differ only by seed (`train.repeat`, ensemble members): `first`'s layers
/// initialised and trained from `Ensemble.memberSeed`, so a repeat and the ensemble member of the same index get
/// the same seed. `name` says what a run is in progress and errors ("repeat", "ensemble member").
func trainAgain(_ first: Model, index: Int, of count: Int, name: String, configuration: TrainingConfiguration,
                data: LoadedData, validation: ImageSet?, context: StageContext) throws -> Retrained {
    let seed = Ensemble.memberSeed(configuration.seed, index: index)
    context.message("training \(name) \(index + 1) of \(count) (seed \(seed))")
    let model = try Model(name: first.name, inputShape: first.inputShape, layers: first.specs, seed: seed)
    var c = configuration
    c.seed = seed
    let start = Date()
    do {
        let history = try fit(model, training: data.train, validation: validation, configuration: c, observer: context.training)
        return Retrained(seed: seed, model: model, history: history, seconds: Date().timeIntervalSince(start))
    } catch {
        throw StageFailure("training \(name) \(index + 1) (seed \(seed)) stopped: \(error)")
    }
}
