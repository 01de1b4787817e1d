// Does this CPU (or the hypervisor in front of it) let a program use AMX, the tile unit behind oneDNN's fastest bf16
// kernels? Prints CPUID leaf 7's AMX bits, whether XCR0 can hold the tile state, and whether Linux grants a process the
// tile data permission (arch_prctl ARCH_REQ_XCOMP_PERM). Without all three, bf16 runs on AVX512_BF16's vdpbf16ps only.
#include <cpuid.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
    unsigned a, b, c, d;
    __cpuid_count(7, 0, a, b, c, d);
    printf("CPUID.7.0:EDX amx_bf16=%u amx_tile=%u amx_int8=%u (avx512_fp16=%u)\n",
           (d >> 22) & 1, (d >> 24) & 1, (d >> 25) & 1, (d >> 23) & 1);
    __cpuid_count(7, 1, a, b, c, d);
    printf("CPUID.7.1:EAX avx512_bf16=%u\n", (a >> 5) & 1);
    __cpuid_count(0xd, 0, a, b, c, d);
    printf("CPUID.D.0:EAX XCR0 tile state supported: XTILECFG=%u XTILEDATA=%u\n", (a >> 17) & 1, (a >> 18) & 1);
    long granted = syscall(SYS_arch_prctl, 0x1023 /* ARCH_REQ_XCOMP_PERM */, 18 /* XFEATURE_XTILEDATA */);
    printf("arch_prctl(ARCH_REQ_XCOMP_PERM, XTILEDATA) = %ld (%s)\n", granted, granted == 0 ? "granted" : "refused");
    return 0;
}
