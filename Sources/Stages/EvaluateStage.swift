import NeuralNet
import Notebook
import Report

extension StageName {
    public static let evaluate = StageName(rawValue: "evaluate")
}

/// `evaluate`: loss and accuracy on a split, the confusion matrix, scikit-learn's classification
/// report, accuracy per class, and a grid of predictions.
public struct EvaluateStage: Stage {
    public static let name = StageName.evaluate
    public static let title = "Evaluate"
    public static let schema = spec("Score the model: loss, accuracy, confusion matrix, classification report.", needs: [.train], [
        ParameterSpec("split", .choice([Split.test.rawValue, Split.validation.rawValue]), default: .string(Split.test.rawValue),
                      doc: "which split to evaluate on"),
    ])
    public static let reads: Set<WorkspacePart> = [.data, .model, .training, .evaluations]
    public static let writes: Set<WorkspacePart> = [.evaluations]

    var split: Split

    public init(_ step: ValidatedStep) {
        split = Split(rawValue: step.string("split")) ?? .test
    }

    public func capture(before: WorkspaceMark, after workspace: Workspace) -> StepState {
        workspace.evaluations[split].map { .evaluation($0) } ?? .none
    }

    public func run(_ workspace: inout Workspace, _ context: StageContext) throws -> StageResult {
        let data = try workspace.requireData(for: Self.name)
        let model = try workspace.requireModel(for: Self.name)
        _ = try workspace.requireTraining(for: Self.name)
        let set = data.images(split)
        guard set.count > 0 else {
            throw StageFailure("the \(split.rawValue) split is empty" + (split == .validation ? " (validation_split is 0)" : ""))
        }
        context.message("evaluating on \(groupThousands(set.count)) \(split.rawValue) images")
        let evaluation = workspace.ensemble.map { score($0, on: set, split: split) } ?? score(model, on: set, split: split)
        workspace.record(evaluation)

        let names = data.classNames
        let correct = zip(evaluation.labels, evaluation.predictions).filter { $0 == $1 }.count
        // Several build/train steps may come before: say which model this step scores.
        var outputs: [Output] = [.note("Scoring the model '\(model.name)'"
            + (workspace.ensemble.map { ", an ensemble of \($0.members.count) (the mean of its members' probabilities)" } ?? "")
            + ", trained by the last train step before this one.")]
        if !evaluation.members.isEmpty {
            var rows = evaluation.members.enumerated().map { i, m in ["member \(i + 1)", "\(m.seed)", fixed(m.accuracy, 4)] }
            rows.append(["ensemble (mean of probabilities)", "", fixed(evaluation.accuracy, 4)])
            outputs.append(.table(Table(caption: "Ensemble members (\(split.rawValue) accuracy)", header: ["model", "seed", "accuracy"],
                                        rows: rows, alignRight: [1, 2])))
        }
        outputs.append(.keyValues(title: "\(split.title) set", [
            ("\(split.rawValue) loss", fixed(evaluation.loss, 4)),
            ("\(split.rawValue) accuracy", "\(fixed(evaluation.accuracy, 4)) (\(groupThousands(correct)) of \(groupThousands(set.count)) correct, "
                + "\(groupThousands(set.count - correct)) wrong)"),
        ]))

        let heatmap = Heatmap(title: "Confusion matrix (\(split.rawValue) set)", rowLabels: names, colLabels: names,
                              values: evaluation.confusion, rowTitle: "True label", colTitle: "Predicted label")
        outputs.append(.heatmap(heatmap))

        let report = ClassificationReport(confusion: evaluation.confusion, names: names)
        outputs.append(.table(report.table))
        // The table above holds the same numbers; the text is scikit-learn's layout, kept folded for copying.
        outputs.append(.details(summary: "The same report as text (scikit-learn's classification_report)",
                                outputs: [.code(language: "text", text: report.text)]))

        outputs.append(.barChart(BarChart(title: "Accuracy per class (\(split.rawValue) set)", categories: names,
                                          series: [(name: "accuracy", values: report.perClass.map(\.recall))],
                                          xLabel: "class", yLabel: "accuracy", showValues: names.count <= 12,
                                              zoomAxis: true)))
        if let worst = report.perClass.indices.filter({ report.perClass[$0].support > 0 })
            .min(by: { report.perClass[$0].recall < report.perClass[$1].recall }) {
            outputs.append(.note("Hardest class: \(names[worst]), with \(percent(report.perClass[worst].recall)) of its "
                + "\(groupThousands(report.perClass[worst].support)) images recognised."))
        }

        outputs += diagnosisOutputs([Diagnosis.chanceScore(accuracy: evaluation.accuracy, classes: names.count, split: split.rawValue)]
            .compactMap { $0 } + Diagnosis.neglectedClasses(evaluation.confusion, classNames: names))
        let grid = predictionGrid(evaluation, set: set, names: names, count: min(25, set.count))
        outputs.append(.imageGrid(grid))
        var artifacts = [Artifact(name: "confusion_matrix.svg", text: SVGChart.render(heatmap))]
        artifacts.append(Artifact(name: "sample_predictions.png", bytes: try ImageGridRenderer.png(grid)))
        artifacts.append(PredictionsFile.artifact(evaluation, set: set, data: data))
        return StageResult(outputs: outputs, artifacts: artifacts)
    }
}

/// The first `count` images of the split with predicted and true labels; wrong ones highlighted.
func predictionGrid(_ evaluation: Evaluation, set: ImageSet, names: [String], count: Int) -> ImageGrid {
    let indices = Array(0..<count)
    return ImageGrid(title: "Predictions on the first \(count) \(evaluation.split.rawValue) images (red: wrong)",
                     images: indices.map { grayImage(set, $0) },
                     captions: indices.map { "pred \(names[evaluation.predictions[$0]]) · true \(names[evaluation.labels[$0]])" },
                     columns: 5,
                     highlight: indices.map { evaluation.predictions[$0] != evaluation.labels[$0] })
}
