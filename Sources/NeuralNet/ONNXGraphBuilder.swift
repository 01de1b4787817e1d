import Tensor

extension ONNXExport {
    /// Builds a graph one node at a time along a running value (each node reads it first and becomes it), for the
    /// float and the int8 export alike. Values are named after their layers; a layer called "input" or
    /// "probabilities", or two layers with one name, must not make two values share a name.
    struct GraphBuilder {
        enum Layout { case nhwc, nchw, flat }

        private(set) var graph = Graph()
        /// The value the next node reads first.
        var value = inputName
        var layout: Layout
        private var used: Set<String> = [inputName, outputName]

        init(layout: Layout) { self.layout = layout }

        mutating func unique(_ name: String) -> String {
            var candidate = name, n = 1
            while used.contains(candidate) {
                candidate = "\(name)_\(n)"
                n += 1
            }
            used.insert(candidate)
            return candidate
        }

        /// A node on the running value: `op(value, inputs…)`, which becomes the running value.
        mutating func add(_ name: String, _ op: String, _ inputs: [String], _ attributes: [Attribute] = []) {
            value = node(name, op, [value] + inputs, attributes)
        }

        /// A node off the running value (e.g. a kernel's DequantizeLinear); returns its output's name.
        mutating func node(_ name: String, _ op: String, _ inputs: [String], _ attributes: [Attribute] = []) -> String {
            let name = unique(name)
            graph.nodes.append(Node(name: name, opType: op, inputs: inputs, outputs: [name], attributes: attributes))
            return name
        }

        /// A float32 initializer; returns its name.
        mutating func constant(_ name: String, _ dims: [Int], _ values: [Float]) -> String {
            let name = unique(name)
            graph.initializers.append(Initializer(name: name, dims: dims, values: values))
            return name
        }

        /// An initializer of another type (`DataType`) given as its little-endian bytes; returns its name.
        mutating func bytes(_ name: String, _ dims: [Int], _ type: Int, _ raw: [UInt8]) -> String {
            let name = unique(name)
            graph.initializers.append(Initializer(name: name, dims: dims, values: [], dataType: type, raw: raw))
            return name
        }

        /// ONNX's Conv and pools are channels-first; the engine and Keras are channels-last.
        mutating func toNCHW(_ layer: String) {
            guard layout == .nhwc else { return }
            add("\(layer)/to_nchw", "Transpose", [], [.ints("perm", [0, 3, 1, 2])])
            layout = .nchw
        }

        mutating func toNHWC(_ layer: String) {
            guard layout == .nchw else { return }
            add("\(layer)/to_nhwc", "Transpose", [], [.ints("perm", [0, 2, 3, 1])])
            layout = .nhwc
        }

        mutating func activate(_ layer: String, _ f: ActivationFunction) {
            switch f {
            case .linear: break
            case .relu: add("\(layer)/relu", "Relu", [])
            case .sigmoid: add("\(layer)/sigmoid", "Sigmoid", [])
            case .tanh: add("\(layer)/tanh", "Tanh", [])
            // The engine's softmax runs over the last axis: channels for images, which is axis 1 in NCHW.
            case .softmax: add("\(layer)/softmax", "Softmax", [], [.int("axis", layout == .nchw ? 1 : -1)])
            }
        }

        /// The graph, its last node's output renamed to the graph's output.
        func finished() -> Graph {
            var g = graph
            g.nodes[g.nodes.count - 1].outputs = [outputName]
            return g
        }
    }
}
