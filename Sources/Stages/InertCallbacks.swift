import Notebook

/// Train parameters that cannot act in the run as configured, with the reason, so their chips are grey:
/// EarlyStopping or ReduceLROnPlateau whose patience is not shorter than the epochs (the first epoch
/// sets the best value; they act after `patience` more epochs without improvement), or any callback
/// (ModelCheckpoint too) that watches a val_ value when the load step holds out no validation set.
func inertCallbacks(_ train: ValidatedStep, validationSplit: Double?) -> [String: String] {
    let epochs = train.int("epochs")
    var inert: [String: String] = [:]
    // What each callback does once patient enough; ModelCheckpoint has no patience.
    let callbacks: [(name: String, verb: String?)] = [("early_stopping", "stop training"), ("reduce_lr_on_plateau", "lower the learning rate"),
                                                      ("model_checkpoint", nil)]
    for (name, verb) in callbacks {
        guard let callback = train.mapOrOff(name) else { continue }
        let monitor = callback.string("monitor")
        if validationSplit == 0, monitor.hasPrefix("val_") {
            inert[name] = "cannot act: it watches \(monitor) and validation_split is 0, so there is no validation set"
        } else if let verb {
            let patience = callback.int("patience")
            guard patience >= epochs else { continue }
            inert[name] = "cannot act in this run: it would \(verb) after epoch \(patience + 1) at the earliest "
                + "(patience \(patience)), and the run has \(epochs) epoch\(epochs == 1 ? "" : "s")"
        }
    }
    return inert
}

/// The grey chips of every train step, by block index, each against the load step before it.
func inertChips(_ steps: [ValidatedStep]) -> [Int: [String: String]] {
    var split: Double?
    var result: [Int: [String: String]] = [:]
    for step in steps {
        if step.stage == StageName.load.rawValue { split = step.double("validation_split") }
        if step.stage == StageName.train.rawValue {
            let inert = inertCallbacks(step, validationSplit: split)
            if !inert.isEmpty { result[step.blockIndex] = inert }
        }
    }
    return result
}
