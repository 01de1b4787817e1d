import Foundation
import Datasets
import NeuralNet
import Notebook

/// Reads and validates a notebook without running anything: Notebook's parameter validation, then
/// what only the stages know: that every `build` layer stack fits its input (pointing at the
/// offending layer) and that `save` names a plain file. Every problem is thrown at once, in
/// notebook order, as `path:line:column: stage: message`.
public func checkNotebook(path: String, overrides: [String], stages: StageRegistry = .standard)
    throws(DiagnosticList) -> (Notebook, [ValidatedStep]) {
    let schema = stages.schema
    let notebook = try Notebook.load(path: path, schema: schema).applyingFrontMatterOverrides(overrides)
    switch validateNotebook(notebook, schema: schema, overrides: overrides) {
    case .success(let steps):
        let order = trainOrderProblems(steps.map { ($0.stage, $0.position, $0.stage == StageName.train.rawValue && $0.bool("continue")) },
                                       path: notebook.path)
        let problems = sortedByPosition(stageProblems(steps, stages: stages, path: notebook.path) + order)
        if !problems.isEmpty { throw DiagnosticList(problems) }
        return (notebook, steps.map(resolvingScheduledPlateau))
    case .failure(let list):
        // Check the load and build steps that are valid on their own too, so a bad layer stack is
        // reported together with a typo elsewhere.
        let steps = individuallyValidSteps(notebook, overrides: overrides, schema: schema,
                                           stages: [StageName.load.rawValue, StageName.build.rawValue, StageName.train.rawValue])
        let trains = Dictionary(steps.filter { $0.stage == StageName.train.rawValue }.map { ($0.line, $0.bool("continue")) },
                                uniquingKeysWith: { a, _ in a })
        let order = trainOrderProblems(notebook.steps.map { ($0.stage, SourcePosition(line: $0.line, column: $0.column),
                                                             trains[$0.line] ?? true) }, path: notebook.path)
        throw DiagnosticList(sortedByPosition(list.diagnostics + stageProblems(steps, stages: stages, path: notebook.path) + order))
    }
}

/// Problems found by building the model specs (no weights, no data) and checking file names.
func stageProblems(_ steps: [ValidatedStep], stages: StageRegistry, path: String) -> [Diagnostic] {
    var problems: [Diagnostic] = []
    // Catalog datasets are all 28×28 grey; a folder's image shape and classes are only known once
    // it is read, so a build after it is checked when it runs.
    var inputKnown = true
    var classes: Int?
    // The last build step whose layers fit, so a train step can check the memory its batch size needs.
    var built: BuildStage?
    func layerProblem(_ error: LayerProblem, in step: ValidatedStep, layers: [NeuralNet.LayerSpec]) -> Diagnostic {
        let index = layers.firstIndex { $0.name == error.layer }
        let position = index.flatMap { $0 < step.layerPositions.count ? step.layerPositions[$0] : nil } ?? step.position
        return Diagnostic(path: path, line: position.line, column: position.column, stage: StageName.build.rawValue,
                          message: error.description)
    }
    for step in steps {
        switch stages.stage(named: step.stage)?.init(step) {
        case let load as LoadStage:
            let entry = DatasetCatalog.entry(named: load.datasetName)
            inputKnown = entry != nil
            classes = entry?.classNames.count
            built = nil
            if entry == nil, let problem = datasetFolderProblem(load.datasetName, notebookPath: path) {
                problems.append(Diagnostic(path: path, line: step.line, column: step.column, stage: step.stage, message: problem))
            }
        case let build as BuildStage where inputKnown:
            do throws(LayerProblem) {
                try checkLayerShapes(build.layers, inputShape: defaultInputShape, classes: classes)
                built = build
            } catch {
                problems.append(layerProblem(error, in: step, layers: build.layers))
                built = nil
            }
        case let train as TrainStage:
            problems += scheduleProblems(step, path: path)
            if train.repeats > 1 && (train.members > 1 || train.continues) {
                let other = train.members > 1 ? "ensemble" : "continue: true"
                problems.append(Diagnostic(path: path, line: step.line, column: step.column, stage: step.stage,
                                           message: "repeat and \(other) in one step: " + (train.members > 1
                                            ? "repeat measures how far single models move with the seed, an ensemble averages several into one model; "
                                                + "use repeat in one train step and ensemble in another"
                                            : "repeat trains fresh models from N seeds, so there is no one model to continue; remove one of them")))
            }
            guard let layers = built?.layers else { break }
            let batchSize = train.configuration.batchSize
            do throws(LayerProblem) {
                try checkLayerShapes(layers, inputShape: defaultInputShape, classes: classes, batchSize: batchSize)
            } catch {
                // The batch size makes the difference: point at the train step (or its --set flag), naming the layer.
                if step.overridden.contains("batch_size") {
                    problems.append(Diagnostic(path: "--set train.batch_size=\(batchSize)", line: 0, column: 0, stage: step.stage,
                                               message: error.description))
                } else {
                    problems.append(Diagnostic(path: path, line: step.line, column: step.column, stage: step.stage,
                                               message: error.description))
                }
            }
        case let save as SaveStage:
            if save.quantizeCalibration != nil, let layers = built?.layers,
               let refusal = QuantizedModel.unsupportedLayer(in: layers) {
                problems.append(Diagnostic(path: path, line: step.line, column: step.column, stage: step.stage,
                                           message: "quantize: cannot quantise to int8: \(refusal) (remove quantize, or save a model without them)"))
            }
            if let problem = fileStemProblem(save.fileStem) {
                let message = "name '\(save.fileStem)' \(problem)"
                if step.overridden.contains("name") {
                    problems.append(Diagnostic(path: "--set save.name=\(save.fileStem)", line: 0, column: 0, stage: step.stage, message: message))
                } else {
                    problems.append(Diagnostic(path: path, line: step.line, column: step.column, stage: step.stage, message: message))
                }
            }
        default:
            break
        }
    }
    return problems
}

/// A train step after a train step with no build between them would go on training the first one's
/// model (issue 16: the SGD run started from Adam's weights, silently): an error unless it says
/// `continue: true`. `steps` are (stage, position, continues) in notebook order; a train step that
/// could not be read counts as continuing, so a typo in it gives no second error.
func trainOrderProblems(_ steps: [(stage: String, position: SourcePosition, continues: Bool)], path: String) -> [Diagnostic] {
    var lastTrain: SourcePosition?
    var problems: [Diagnostic] = []
    for step in steps {
        switch step.stage {
        case StageName.build.rawValue:
            lastTrain = nil
        case StageName.train.rawValue:
            if let earlier = lastTrain, !step.continues {
                problems.append(Diagnostic(path: path, line: step.position.line, column: step.position.column, stage: step.stage,
                                           message: trainAfterTrainMessage(earlier: earlier.line)))
            }
            lastTrain = step.position
        default:
            break
        }
    }
    return problems
}

func trainAfterTrainMessage(earlier line: Int) -> String {
    "this train step follows the train step on line \(line) with no build step in between, so it would go on training "
        + "that model from its trained weights: add a build step, or `continue: true` to keep training the same model"
}

/// A `dataset` that is neither a catalog name nor an existing folder: found now rather than when the render loads it.
private func datasetFolderProblem(_ name: String, notebookPath: String) -> String? {
    let directory = URL(fileURLWithPath: notebookPath).deletingLastPathComponent()
    let location = datasetLocation(name, notebookDirectory: directory)
    var isDirectory: ObjCBool = false
    let exists = FileManager.default.fileExists(atPath: location, isDirectory: &isDirectory)
    if exists && isDirectory.boolValue { return nil }
    let shown = location.hasPrefix("/") ? location : directory.appendingPathComponent(name).standardizedFileURL.path
    return "dataset '\(name)' is not one of \(DatasetCatalog.names.joined(separator: ", ")) and \(shown) "
        + (exists ? "is not a folder" : "does not exist") + "; give a catalog name or a folder of IDX files"
}

/// Each step of the given stages validated on its own (with its own overrides), skipping any that has problems.
private func individuallyValidSteps(_ notebook: Notebook, overrides: [String], schema: Schema, stages: Set<String>) -> [ValidatedStep] {
    var steps: [ValidatedStep] = []
    for (index, block) in notebook.blocks.enumerated() {
        guard case .step(let step) = block, stages.contains(step.stage) else { continue }
        let single = Notebook(path: notebook.path, frontMatter: notebook.frontMatter, blocks: [block])
        let own = overrides.filter { $0.hasPrefix(step.stage + ".") }
        guard case .success(let validated) = validateNotebook(single, schema: schema, overrides: own), let first = validated.first else { continue }
        var copy = ValidatedStep(stage: first.stage, line: first.line, column: first.column, blockIndex: index,
                                 params: first.params, overridden: first.overridden, layerPositions: first.layerPositions)
        copy.id = first.id
        copy.keyPositions = first.keyPositions
        steps.append(copy)
    }
    return steps
}

/// Command-line problems (line 0) first, then notebook order; stable for equal positions.
func sortedByPosition(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
    diagnostics.enumerated().sorted { a, b in
        (a.element.line, a.element.column, a.offset) < (b.element.line, b.element.column, b.offset)
    }.map(\.element)
}
