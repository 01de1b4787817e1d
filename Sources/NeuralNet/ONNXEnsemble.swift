import Tensor

extension ONNXExport {
    /// One ONNX graph for an ensemble: every member's graph on the shared `input`, its values prefixed
    /// `member<k>/`, and a Mean node averaging their probabilities into `probabilities`.
    public static func ensembleData(_ members: [Model], metadata: ModelMetadata, path: String = "<memory>") throws -> [UInt8] {
        precondition(!members.isEmpty, "ensembleData: no members")
        var combined = Graph()
        var outputs: [String] = []
        for (index, member) in members.enumerated() {
            try ModelFile.checkMetadata(metadata, of: member, path: path)
            let prefix = "member\(index + 1)/"
            func rename(_ name: String) -> String { name == inputName ? name : prefix + name }
            let g = try graph(weights: member.weights(), of: member, path: path)
            for var node in g.nodes {
                node.name = prefix + node.name
                node.inputs = node.inputs.map(rename)
                node.outputs = node.outputs.map(rename)
                combined.nodes.append(node)
            }
            for var initializer in g.initializers {
                initializer.name = prefix + initializer.name
                combined.initializers.append(initializer)
            }
            outputs.append(prefix + outputName)
        }
        combined.nodes.append(Node(name: "ensemble/mean", opType: "Mean", inputs: outputs, outputs: [outputName], attributes: []))
        return encode(combined, model: members[0], metadata: metadata)
    }
}
