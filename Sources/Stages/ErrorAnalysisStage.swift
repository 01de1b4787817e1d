import NeuralNet
import Notebook
import Report

extension StageName {
    public static let errorAnalysis = StageName(rawValue: "error-analysis")
}

/// `error-analysis`: the misclassified images of the last evaluated split (the test split when no
/// evaluate step ran), the most-confused class pairs and the most confident mistakes.
public struct ErrorAnalysisStage: Stage {
    public static let name = StageName.errorAnalysis
    public static let title = "Error analysis"
    public static let schema = spec("Look at the mistakes: misclassified images and most-confused pairs.", needs: [.train], [
        ParameterSpec("show", .int(.count(upTo: 1000)), default: 25, display: true, doc: "misclassified images in the grid"),
        ParameterSpec("top_confusions", .int(.count(upTo: 1000)), default: 10, display: true, doc: "most-confused class pairs listed"),
    ])
    public static let reads: Set<WorkspacePart> = [.data, .model, .training, .evaluations]
    public static let writes: Set<WorkspacePart> = [.evaluations]

    var show: Int
    var topConfusions: Int

    public init(_ step: ValidatedStep) {
        show = step.int("show")
        topConfusions = step.int("top_confusions")
    }

    /// It scores the test split itself only when no evaluate step did; then the cache keeps that.
    public func capture(before: WorkspaceMark, after workspace: Workspace) -> StepState {
        guard before.lastEvaluatedSplit == nil, let split = workspace.lastEvaluatedSplit,
              let evaluation = workspace.evaluations[split] else { return .none }
        return .evaluation(evaluation)
    }

    public func run(_ workspace: inout Workspace, _ context: StageContext) throws -> StageResult {
        let data = try workspace.requireData(for: Self.name)
        let model = try workspace.requireModel(for: Self.name)
        _ = try workspace.requireTraining(for: Self.name)
        let evaluation: Evaluation
        if let split = workspace.lastEvaluatedSplit, let known = workspace.evaluations[split] {
            evaluation = known
        } else {
            guard data.test.count > 0 else { throw StageFailure("the test split is empty") }
            evaluation = workspace.ensemble.map { score($0, on: data.test, split: .test) } ?? score(model, on: data.test, split: .test)
            workspace.record(evaluation)
        }
        let set = data.images(evaluation.split)
        let names = data.classNames
        let wrong = (0..<evaluation.count).filter { evaluation.predictions[$0] != evaluation.labels[$0] }
        var outputs: [Output] = [.note("\(groupThousands(wrong.count)) of \(groupThousands(evaluation.count)) \(evaluation.split.rawValue) "
            + "images are misclassified (\(percent(Double(wrong.count) / Double(max(evaluation.count, 1))))).")]
        guard !wrong.isEmpty else { return StageResult(outputs: outputs) }

        var artifacts: [Artifact] = []
        let shown = Array(wrong.prefix(show))
        if !shown.isEmpty {
            let grid = ImageGrid(title: "Misclassified \(evaluation.split.rawValue) images, the first \(shown.count) in order",
                                 images: shown.map { grayImage(set, $0) },
                                 captions: shown.map { i in
                                     "true \(names[evaluation.labels[i]]) → \(names[evaluation.predictions[i]]) "
                                         + "(\(percent(Double(evaluation.confidence(i)), digits: 0)))"
                                 },
                                 columns: 5, highlight: shown.map { _ in true })
            outputs.append(.imageGrid(grid))
            artifacts.append(Artifact(name: "misclassified_samples.png", bytes: try ImageGridRenderer.png(grid)))
        }

        let top = topConfusions
        if top > 0 {
            var pairs: [(trueClass: Int, predicted: Int, count: Int)] = []
            for (t, row) in evaluation.confusion.enumerated() {
                for (p, count) in row.enumerated() where p != t && count > 0 { pairs.append((t, p, count)) }
            }
            pairs.sort { ($0.count, $1.trueClass, $1.predicted) > ($1.count, $0.trueClass, $0.predicted) }
            let rows = pairs.prefix(top).map { pair -> [String] in
                let support = evaluation.confusion[pair.trueClass].reduce(0, +)
                return [names[pair.trueClass], names[pair.predicted], groupThousands(pair.count),
                        percent(Double(pair.count) / Double(max(support, 1))), percent(Double(pair.count) / Double(wrong.count), digits: 1)]
            }
            outputs.append(.table(Table(caption: "Most-confused pairs",
                                        header: ["true", "predicted as", "images", "of the true class", "of all mistakes"],
                                        rows: rows, alignRight: [2, 3, 4])))
        }

        let confident = wrong.sorted { (evaluation.confidence($0), $1) > (evaluation.confidence($1), $0) }.prefix(10)
        let rows = confident.map { i -> [String] in
            ["\(i)", names[evaluation.labels[i]], names[evaluation.predictions[i]],
             fixed(Double(evaluation.confidence(i)), 4), fixed(Double(evaluation.probability(i, evaluation.labels[i])), 4)]
        }
        // The digits themselves, in the table's order: an index alone says nothing to a reader.
        outputs.append(.imageGrid(ImageGrid(title: "Most confident mistakes, most confident first",
                                            images: confident.map { grayImage(set, $0) },
                                            captions: confident.map { i in
                                                "#\(i): \(names[evaluation.labels[i]]) → \(names[evaluation.predictions[i]]) "
                                                    + "(\(percent(Double(evaluation.confidence(i)), digits: 0)))"
                                            },
                                            columns: 10, highlight: confident.map { _ in true })))
        outputs.append(.table(Table(caption: "Most confident mistakes",
                                    header: ["\(evaluation.split.rawValue) index", "true", "predicted", "confidence", "p(true class)"],
                                    rows: rows, alignRight: [0, 3, 4])))
        return StageResult(outputs: outputs, artifacts: artifacts)
    }
}
