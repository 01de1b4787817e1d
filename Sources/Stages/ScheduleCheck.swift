import Notebook

/// `train.lr_schedule`'s problems that need more than one value: the decay kind's own parameter, `min_lr`
/// below `learning_rate`, and no plateau callback beside it. Each points at the key that has to change
/// (or its `--set` flag).
func scheduleProblems(_ step: ValidatedStep, path: String) -> [Diagnostic] {
    guard let schedule = step.params["lr_schedule"]?.mapValue else { return [] }
    var problems: [Diagnostic] = []
    func report(at name: String, _ message: String) {
        if let flag = step.overridden.sorted().first(where: { $0 == name || $0.hasPrefix(name + ".") }) {
            let value = flag.split(separator: ".").reduce(ParamValue.map(step.params)) { $0.mapValue?[String($1)] ?? $0 }
            problems.append(Diagnostic(path: "--set \(step.stage).\(flag)=\(value.yaml)", line: 0, column: 0, stage: step.stage, message: message))
        } else {
            let position = step.keyPositions[name] ?? step.keyPositions["lr_schedule"] ?? step.position
            problems.append(Diagnostic(path: path, line: position.line, column: position.column, stage: step.stage, message: message))
        }
    }
    func given(_ name: String) -> Bool {
        step.keyPositions[name] != nil || step.overridden.contains { $0 == name || $0.hasPrefix(name + ".") }
    }
    let range = TrainStage.decayRateRange
    switch schedule["decay"]?.stringValue {
    case "exponential":
        if schedule["rate"] == nil {
            report(at: "lr_schedule.decay", "lr_schedule: decay: exponential needs 'rate' \(range) (learning_rate × rate^epoch, epoch from 0)")
        }
        if schedule["min_lr"] != nil {
            report(at: "lr_schedule.min_lr", "'lr_schedule.min_lr' is cosine decay's parameter; exponential decay has none "
                + "(remove it, or write decay: cosine)")
        }
    case "cosine":
        if schedule["rate"] != nil {
            report(at: "lr_schedule.rate", "'lr_schedule.rate' is exponential decay's parameter; cosine decay goes down to min_lr "
                + "(remove it, or write decay: exponential)")
        }
        let learningRate = step.double("learning_rate")
        if let minLR = schedule["min_lr"]?.doubleValue, minLR >= learningRate {
            report(at: "lr_schedule.min_lr", "'lr_schedule.min_lr' must be >= 0 and < learning_rate (\(ParamValue.double(learningRate).yaml)), "
                + "got \(ParamValue.double(minLR).yaml)")
        }
    default:
        report(at: "lr_schedule", "lr_schedule needs 'decay': exponential (with rate \(range)) or cosine (with min_lr, default 0)")
    }
    if given("reduce_lr_on_plateau"), step.params["reduce_lr_on_plateau"]?.mapValue != nil {
        report(at: "reduce_lr_on_plateau", "lr_schedule and reduce_lr_on_plateau in one step: the schedule sets the learning rate "
            + "at every step, so the plateau callback could not lower it (Keras refuses it too); remove one of them")
    }
    return problems
}

/// An `lr_schedule` replaces ReduceLROnPlateau, which is on by default: where the notebook did not ask
/// for the callback, its parameter says off, so metrics.json, the runs table and the cache key say what runs.
func resolvingScheduledPlateau(_ step: ValidatedStep) -> ValidatedStep {
    guard step.stage == StageName.train.rawValue, step.params["lr_schedule"]?.mapValue != nil,
          step.params["reduce_lr_on_plateau"]?.mapValue != nil else { return step }
    var resolved = step
    resolved.params["reduce_lr_on_plateau"] = .bool(false)
    return resolved
}
