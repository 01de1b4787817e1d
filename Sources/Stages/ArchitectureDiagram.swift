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
    // One box per graph node; a residual block's inner nodes sit in a cluster and its skip path is a dashed edge.
    let graph = model.graph
    let settings = Dictionary(model.specs.map { ($0.name, layerSettings($0)) }, uniquingKeysWith: { first, _ in first })
    var ids = ["input": "input"]
    for (index, node) in graph.enumerated() { ids[node.name] = "node\(index)" }
    var cluster: String?
    for (index, node) in graph.enumerated() {
        let inBlock = node.name != node.layer
        if cluster != nil && (!inBlock || cluster != node.layer) { lines.append("  }"); cluster = nil }
        if inBlock && cluster == nil {
            cluster = node.layer
            lines.append("  subgraph \(Graphviz.quoted("cluster_" + node.layer)) {")
            let blockSettings = settings[node.layer].map { $0.isEmpty ? "" : "\n" + $0 } ?? ""
            lines.append("    label=\(Graphviz.quoted(node.layer + " (residual block)" + blockSettings)); style=\"rounded,dashed\"; color=\"#8c959f\"; fontsize=11;")
        }
        var label = [inBlock ? String(node.name.dropFirst(node.layer.count + 1)) : node.name, node.kerasClass]
        if !inBlock, let text = settings[node.name], !text.isEmpty { label.append(text) }
        if showShapes { label.append(kerasShape(node.outputShape)) }
        if node.parameterCount > 0 || !inBlock { label.append("\(groupThousands(node.parameterCount)) params") }
        lines.append("  node\(index) [label=\(Graphviz.quoted(label.joined(separator: "\n"))), "
            + "fillcolor=\"\(fillColor(node.kerasClass))\"];")
    }
    if cluster != nil { lines.append("  }") }
    for (index, node) in graph.enumerated() {
        for (k, input) in node.inputs.enumerated() {
            // The second input of an Add is the skip connection around the block.
            let skip = node.kerasClass == "Add" && k == 1
            lines.append("  \(ids[input] ?? "input") -> node\(index)" + (skip ? " [style=dashed, color=\"#d97706\", label=\"skip\", fontsize=9];" : ";"))
        }
    }
    lines.append("}")
    return lines.joined(separator: "\n") + "\n"
}

/// A pale colour per kind of layer, so convolution blocks and the dense head read apart at a glance.
private func fillColor(_ kerasClass: String) -> String {
    switch kerasClass {
    case "Conv2D": return "#dbeafe"
    case "BatchNormalization": return "#ede9fe"
    case "MaxPooling2D", "GlobalAveragePooling2D": return "#dcfce7"
    case "Flatten": return "#f3f4f6"
    case "Dense": return "#fee2e2"
    case "Dropout": return "#fef9c3"
    case "Add", "ReLU": return "#ffedd5"
    default: return "#f3f4f6"
    }
}
