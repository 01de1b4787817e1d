import CDNNL
import Foundation

/// The oneDNN engine and stream, and thin wrappers over its C API.
/// A failing oneDNN call here is a programming error (shapes are validated before), so it traps with the call's name.
enum DNNL {
    static let engine: dnnl_engine_t = {
        Threads.configure()
        var e: dnnl_engine_t?
        check(dnnl_engine_create(&e, dnnl_cpu, 0), "dnnl_engine_create")
        return e!
    }()

    static let stream: dnnl_stream_t = {
        var s: dnnl_stream_t?
        check(dnnl_stream_create(&s, engine, dnnl_stream_default_flags.rawValue), "dnnl_stream_create")
        return s!
    }()

    static func check(_ status: dnnl_status_t, _ call: @autoclosure () -> String) {
        if status != dnnl_success { fatalError("oneDNN: \(call()) failed with status \(status.rawValue)") }
    }

    /// A memory descriptor; `dims` are in oneDNN's logical order (N, C, H, W for images; O, I, H, W for weights).
    static func desc(_ dims: [Int], _ tag: dnnl_format_tag_t, _ type: dnnl_data_type_t = dnnl_f32) -> dnnl_memory_desc_t {
        var md = dnnl_memory_desc_t()
        let d = dims.map { Int64($0) }
        d.withUnsafeBufferPointer { p in
            check(dnnl_memory_desc_init_by_tag(&md, Int32(d.count), p.baseAddress, type, tag), "memory_desc_init \(dims)")
        }
        return md
    }

    static func equal(_ a: dnnl_memory_desc_t, _ b: dnnl_memory_desc_t) -> Bool {
        var a = a, b = b
        return dnnl_memory_desc_equal(&a, &b) != 0
    }

    static func bytes(_ md: dnnl_memory_desc_t) -> Int {
        var md = md
        return dnnl_memory_desc_get_size(&md)
    }

    static func dims(_ values: [Int]) -> [Int64] { values.map { Int64($0) } }
}

/// A created primitive with its descriptor; memories are bound to tensor pointers at each call.
final class Primitive {
    let pd: dnnl_primitive_desc_t
    let primitive: dnnl_primitive_t

    init(pd: dnnl_primitive_desc_t, primitive: dnnl_primitive_t) {
        self.pd = pd
        self.primitive = primitive
    }

    convenience init(_ opDesc: UnsafeRawPointer, attr: dnnl_primitive_attr_t? = nil, hint: Primitive? = nil, name: String) {
        var pd: dnnl_primitive_desc_t?
        DNNL.check(dnnl_primitive_desc_create(&pd, opDesc, attr, DNNL.engine, hint?.pd), "primitive_desc_create(\(name))")
        var p: dnnl_primitive_t?
        DNNL.check(dnnl_primitive_create(&p, pd), "primitive_create(\(name))")
        self.init(pd: pd!, primitive: p!)
    }

    deinit {
        dnnl_primitive_destroy(primitive)
        dnnl_primitive_desc_destroy(pd)
    }

    func desc(_ query: dnnl_query_t) -> dnnl_memory_desc_t {
        dnnl_primitive_desc_query_md(pd, query, 0).pointee
    }

    /// Runs the primitive with (argument, memory, pointer) triples and waits for it.
    func run(_ args: [(Int32, Memory, UnsafeMutablePointer<Float>)]) {
        var exec = [dnnl_exec_arg_t]()
        exec.reserveCapacity(args.count)
        for (arg, memory, pointer) in args {
            memory.bind(pointer)
            exec.append(dnnl_exec_arg_t(arg: arg, memory: memory.handle))
        }
        DNNL.check(dnnl_primitive_execute(primitive, DNNL.stream, Int32(exec.count), exec), "primitive_execute")
        DNNL.check(dnnl_stream_wait(DNNL.stream), "stream_wait")
    }
}

/// A oneDNN memory object whose data pointer is set before each call.
final class Memory {
    let handle: dnnl_memory_t
    let desc: dnnl_memory_desc_t

    init(_ desc: dnnl_memory_desc_t) {
        var d = desc
        var m: dnnl_memory_t?
        // DNNL_MEMORY_NONE: the buffer is always ours, bound per call.
        DNNL.check(dnnl_memory_create(&m, &d, DNNL.engine, nil), "memory_create")
        handle = m!
        self.desc = desc
    }

    deinit { dnnl_memory_destroy(handle) }

    func bind(_ pointer: UnsafeMutablePointer<Float>) {
        DNNL.check(dnnl_memory_set_data_handle_v2(handle, pointer, DNNL.stream), "set_data_handle")
    }
}

/// Copies between two layouts of the same logical tensor (e.g. Keras HWIO weights and oneDNN's blocked ones).
final class Reorder {
    let primitive: Primitive?
    let source: Memory
    let destination: Memory

    init(from src: dnnl_memory_desc_t, to dst: dnnl_memory_desc_t) {
        source = Memory(src)
        destination = Memory(dst)
        if DNNL.equal(src, dst) {
            primitive = nil
        } else {
            var pd: dnnl_primitive_desc_t?
            var s = src, d = dst
            DNNL.check(dnnl_reorder_primitive_desc_create(&pd, &s, DNNL.engine, &d, DNNL.engine, nil), "reorder_pd")
            var p: dnnl_primitive_t?
            DNNL.check(dnnl_primitive_create(&p, pd), "reorder")
            primitive = Primitive(pd: pd!, primitive: p!)
        }
    }

    func run(from: UnsafeMutablePointer<Float>, to: UnsafeMutablePointer<Float>) {
        guard let primitive else {
            UnsafeMutableRawPointer(to).copyMemory(from: from, byteCount: DNNL.bytes(source.desc))
            return
        }
        // Weights are small: one thread copies them faster than the team can be woken, most of all on a busy machine.
        if DNNL.bytes(source.desc) < 1 << 18 {
            Threads.onCallingThread { primitive.run([(DNNL_ARG_FROM, source, from), (DNNL_ARG_TO, destination, to)]) }
        } else {
            primitive.run([(DNNL_ARG_FROM, source, from), (DNNL_ARG_TO, destination, to)])
        }
    }
}

