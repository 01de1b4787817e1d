import NeuralNet
import Report

/// The Graphviz DOT text of a model, one box per layer (name, Keras class, output shape, parameter
/// count) like Keras' `plot_model(show_shapes=True, show_layer_names=True)`, with an input node first.
func architectureDOT(_ model: Model, rankdir: String, showShapes: Bool) -> String {
    var lines = [
        "digraph \(Graphviz.quoted(model.name)) {",
        "  graph [rankdir=\(rankdir == "LR" ? "LR" : "TB"), bgcolor=\"transparent\", nodesep=0.3, ranksep=0.28, "
            + "fontname=\"Helvetica,Arial,sans-serif\"];",
        "  node [shape=box, style=\"rounded,filled\", color=\"#8c959f\", penwidth=1, fontsize=11, "
            + "fontname=\"Helvetica,Arial,sans-serif\", margin=\"0.18,0.06\"];",
        "  edge [color=\"#57606a\", arrowsize=0.7];",
    ]
    var inputLabel = ["input", "InputLayer"]
    if showShapes { inputLabel.append(kerasShape(model.inputShape)) }
    lines.append("  input [label=\(Graphviz.quoted(inputLabel.joined(separator: "\n"))), fillcolor=\"#ffffff\"];")
    for (index, layer) in model.layers.enumerated() {
        var label = [layer.name, layer.spec.kerasClass]
        if showShapes { label.append(kerasShape(layer.outputShape)) }
        label.append("\(groupThousands(layer.parameterCount)) params")
        lines.append("  layer\(index) [label=\(Graphviz.quoted(label.joined(separator: "\n"))), "
            + "fillcolor=\"\(fillColor(layer.spec))\"];")
    }
    let nodes = ["input"] + model.layers.indices.map { "layer\($0)" }
    for (from, to) in zip(nodes, nodes.dropFirst()) { lines.append("  \(from) -> \(to);") }
    lines.append("}")
    return lines.joined(separator: "\n") + "\n"
}

/// A pale colour per kind of layer, so convolution blocks and the dense head read apart at a glance.
private func fillColor(_ spec: LayerSpec) -> String {
    switch spec {
    case .conv2d: return "#dbeafe"
    case .batchnorm: return "#ede9fe"
    case .maxpool, .globalAvgPool: return "#dcfce7"
    case .residual: return "#ffedd5"
    case .flatten: return "#f3f4f6"
    case .dense: return "#fee2e2"
    case .dropout: return "#fef9c3"
    }
}
