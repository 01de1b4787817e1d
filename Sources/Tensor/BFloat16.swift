import CDNNL
import Foundation

/// Whether oneDNN runs bf16 kernels on this CPU (avx512_core_bf16, or AMX, which includes it), read once.
public enum BFloat16 {
    public static var isSupported: Bool { !forcedOff && hardware }

    /// oneDNN's view of the CPU: the ISA it dispatches to contains every avx512_core_bf16 bit.
    public static let hardware: Bool = {
        let isa = dnnl_get_effective_cpu_isa().rawValue, bf16 = dnnl_cpu_isa_avx512_core_bf16.rawValue
        return isa & bf16 == bf16
    }()

    /// Runs as a CPU without bf16 would: `MNISTBOOK_NO_BF16=1`, or set by tests to exercise the fp32 fallback anywhere.
    nonisolated(unsafe) public static var forcedOff = ProcessInfo.processInfo.environment["MNISTBOOK_NO_BF16"] == "1"
}
