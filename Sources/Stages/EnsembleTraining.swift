import Foundation
import NeuralNet
import Report

/// Trains members 2…n of an ensemble (member 1 is the model `train` just fitted), each from its own seed;
/// returns the ensemble and a table of the members.
func trainEnsemble(_ first: Model, first history: History, seconds: Double, members: Int, configuration: TrainingConfiguration,
                   data: LoadedData, validation: ImageSet?, context: StageContext) throws -> (Ensemble, Table) {
    var models = [first], seeds = [configuration.seed]
    var rows = [row(1, configuration.seed, history, seconds)]
    for index in 1..<members {
        let again = try trainAgain(first, index: index, of: members, name: "ensemble member", configuration: configuration,
                                   data: data, validation: validation, context: context)
        models.append(again.model)
        seeds.append(again.seed)
        rows.append(row(index + 1, again.seed, again.history, again.seconds))
    }
    let table = Table(caption: "Ensemble members", header: ["member", "seed", "epochs", "best val_accuracy", "final weights", "seconds"],
                      rows: rows, alignRight: [1, 2, 3, 5])
    return (Ensemble(members: models, seeds: seeds), table)
}

private func row(_ member: Int, _ seed: UInt64, _ h: History, _ seconds: Double) -> [String] {
    let best = h.epochs.compactMap(\.valAccuracy).max()
    return ["\(member)", "\(seed)", "\(h.epochs.count)", best.map { fixed($0, 4) } ?? "–", "epoch \(h.finalWeightsEpoch)", fixed(seconds, 1)]
}
