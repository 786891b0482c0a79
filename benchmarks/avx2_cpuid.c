/* Make this process see an AVX2-only x86 CPU (Haswell/Skylake-client/Zen2 class), for benchmarks.
 *
 * Every runtime we compare (torch's cpuinfo/oneDNN/fbgemm/MKL, ONNX Runtime's MLAS, OpenVINO's
 * Xbyak, numpy) picks its kernels by executing the CPUID instruction itself; only torch has
 * environment switches. Linux's CPUID faulting (arch_prctl ARCH_SET_CPUID, CPU flag cpuid_fault)
 * turns each CPUID into a SIGSEGV; the handler runs the real CPUID and clears the AVX-512,
 * AVX-VNNI, bf16/fp16 and AMX bits before the program sees the answer. Loaded with LD_PRELOAD;
 * glibc's own string functions are capped separately with GLIBC_TUNABLES (it reads CPUID before
 * any preloaded constructor runs). The flag survives clone(), so every later thread is covered,
 * and execve() clears it, so child processes need the same LD_PRELOAD.
 *
 * Build: cc -O2 -shared -fPIC -o avx2_cpuid.so avx2_cpuid.c -ldl
 */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <dlfcn.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#ifndef ARCH_GET_CPUID
#define ARCH_GET_CPUID 0x1011
#define ARCH_SET_CPUID 0x1012
#endif

#define BIT(n) (1u << (n))

static volatile unsigned long traps;
static volatile int active;
static struct sigaction next_handler; /* whoever else wants SIGSEGV (real crashes go there) */
typedef int (*sigaction_fn)(int, const struct sigaction *, struct sigaction *);
static sigaction_fn real_sigaction;

static void real_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4]) {
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

static void mask(uint32_t leaf, uint32_t sub, uint32_t r[4]) {
    if (leaf == 7 && sub == 0) {
        /* EBX: AVX512F DQ IFMA PF ER CD BW VL */
        r[1] &= ~(BIT(16) | BIT(17) | BIT(21) | BIT(26) | BIT(27) | BIT(28) | BIT(30) | BIT(31));
        /* ECX: AVX512_VBMI, VBMI2, GFNI, VAES, VPCLMULQDQ, AVX512_VNNI, BITALG, VPOPCNTDQ */
        r[2] &= ~(BIT(1) | BIT(6) | BIT(8) | BIT(9) | BIT(10) | BIT(11) | BIT(12) | BIT(14));
        /* EDX: 4VNNIW, 4FMAPS, VP2INTERSECT, AMX_BF16, AVX512_FP16, AMX_TILE, AMX_INT8 */
        r[3] &= ~(BIT(2) | BIT(3) | BIT(8) | BIT(22) | BIT(23) | BIT(24) | BIT(25));
    } else if (leaf == 7 && sub == 1) {
        /* EAX: AVX_VNNI, AVX512_BF16, AMX_FP16, AVX_IFMA; EDX: AVX_VNNI_INT8, AVX_NE_CONVERT,
           AMX_COMPLEX, AVX_VNNI_INT16, AVX10 */
        r[0] &= ~(BIT(4) | BIT(5) | BIT(21) | BIT(23));
        r[3] &= ~(BIT(4) | BIT(5) | BIT(8) | BIT(10) | BIT(19));
    } else if (leaf == 0xd && sub == 0) {
        /* XCR0 components the CPU offers: opmask, ZMM_Hi256, Hi16_ZMM, AMX TILECFG/TILEDATA */
        r[0] &= ~(BIT(5) | BIT(6) | BIT(7) | BIT(17) | BIT(18));
    } else if (leaf == 0x1d || leaf == 0x1e || leaf == 0x24) { /* AMX tile info, AVX10 */
        r[0] = r[1] = r[2] = r[3] = 0;
    }
}

static void on_segv(int sig, siginfo_t *si, void *ctx) {
    ucontext_t *uc = (ucontext_t *)ctx;
    greg_t *g = uc->uc_mcontext.gregs;
    const unsigned char *ip = (const unsigned char *)g[REG_RIP];
    /* A CPUID fault is a general-protection fault: si_code SI_KERNEL, RIP on 0F A2. */
    if (si->si_code == SI_KERNEL && ip && ip[0] == 0x0f && ip[1] == 0xa2) {
        uint32_t r[4];
        uint32_t leaf = (uint32_t)g[REG_RAX], sub = (uint32_t)g[REG_RCX];
        syscall(SYS_arch_prctl, ARCH_SET_CPUID, 1);
        real_cpuid(leaf, sub, r);
        syscall(SYS_arch_prctl, ARCH_SET_CPUID, 0);
        mask(leaf, sub, r);
        g[REG_RAX] = r[0];
        g[REG_RBX] = r[1];
        g[REG_RCX] = r[2];
        g[REG_RDX] = r[3];
        g[REG_RIP] += 2;
        __atomic_add_fetch(&traps, 1, __ATOMIC_RELAXED);
        return;
    }
    if (next_handler.sa_flags & SA_SIGINFO && next_handler.sa_sigaction) {
        next_handler.sa_sigaction(sig, si, ctx);
        return;
    }
    if (next_handler.sa_handler != SIG_DFL && next_handler.sa_handler != SIG_IGN && next_handler.sa_handler) {
        next_handler.sa_handler(sig);
        return;
    }
    /* A real crash: let it crash as it would have. */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    real_sigaction(SIGSEGV, &dfl, NULL);
}

/* Libraries that install their own SIGSEGV handler (Python's faulthandler, runtimes' crash
   reporters) are chained behind ours instead of replacing it. */
int sigaction(int sig, const struct sigaction *act, struct sigaction *old) {
    if (!real_sigaction) real_sigaction = (sigaction_fn)dlsym(RTLD_NEXT, "sigaction");
    if (sig == SIGSEGV && active) {
        if (old) *old = next_handler;
        if (act) next_handler = *act;
        return 0;
    }
    return real_sigaction(sig, act, old);
}

unsigned long avx2_cpuid_traps(void) { return traps; }
int avx2_cpuid_active(void) { return active; }

__attribute__((constructor)) static void init(void) {
    real_sigaction = (sigaction_fn)dlsym(RTLD_NEXT, "sigaction");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    memset(&next_handler, 0, sizeof next_handler);
    next_handler.sa_handler = SIG_DFL;
    if (real_sigaction(SIGSEGV, &sa, NULL) != 0) return;
    if (syscall(SYS_arch_prctl, ARCH_SET_CPUID, 0) != 0) {
        fprintf(stderr, "avx2_cpuid: this CPU/kernel has no CPUID faulting; CPU features NOT capped\n");
        return;
    }
    active = 1;
}
