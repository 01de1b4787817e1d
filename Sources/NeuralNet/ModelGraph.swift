/// One operation of the model's graph. A notebook layer is one node, a residual block several (its inner layers,
/// the Add of the skip connection and the last ReLU); the summary, the diagram and the ONNX graph walk these.
public struct GraphNode: Equatable, Sendable {
    /// The layer's name, or `block/inner` inside a block.
    public var name: String
    public var kerasClass: String
    /// Per sample.
    public var outputShape: [Int]
    public var parameterCount: Int
    /// The nodes feeding this one; "input" is the model's input. Two inputs: an Add joining a skip path.
    public var inputs: [String]
    /// The notebook layer the node belongs to.
    public var layer: String
}

extension Layer {
    /// A plain layer is one node fed by `input`.
    func singleNode(input: String) -> [GraphNode] {
        [GraphNode(name: name, kerasClass: spec.kerasClass, outputShape: outputShape, parameterCount: parameterCount,
                   inputs: [input], layer: name)]
    }
}

extension Model {
    /// The model as a graph, node by node in execution order, derived from the one layer list.
    public var graph: [GraphNode] {
        var nodes: [GraphNode] = []
        var last = "input"
        for layer in layers {
            nodes += layer.nodes(input: last)
            last = nodes.last!.name
        }
        return nodes
    }
}
