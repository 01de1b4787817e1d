// fp32 vs bf16 convolution kernels of the reference CNN at batch 64, one process, interleaved repetitions (bench/c/README.md).
// Layout nhwc (what mnistbook trains in) or any (oneDNN's blocked choice). Also the f32->bf16 conversion of each tensor.
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>
#include <algorithm>
#include <functional>
#include "oneapi/dnnl/dnnl.hpp"
using namespace dnnl; using tag = memory::format_tag; using dt = memory::data_type;
// This thread's CPU time: run with OMP_NUM_THREADS=1, and other processes taking the core do not count.
static double now() { timespec t; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
struct Job { std::string name; std::function<void()> f; std::vector<double> t; std::string impl; };
int main(int argc, char **argv) {
  bool blocked = argc > 1 && !strcmp(argv[1], "any");
  engine eng(engine::kind::cpu, 0); stream s(eng);
  struct L { const char *n; int ic, oc, hw; } ls[] = {{"conv1", 1, 32, 28}, {"conv2", 32, 64, 14}, {"conv3", 64, 64, 7}};
  const int N = 64; std::vector<Job> jobs; std::vector<memory> keep;
  auto mem = [&](const memory::desc &d) { memory m(d, eng); memset(m.get_data_handle(), 0, d.get_size()); keep.push_back(m); return m; };
  for (auto &l : ls) for (dt T : {dt::f32, dt::bf16}) {
    std::string tn = T == dt::f32 ? "f32" : "bf16";
    tag at = blocked ? tag::any : tag::nhwc;
    memory::dims src{N, l.ic, l.hw, l.hw}, wei{l.oc, l.ic, 3, 3}, bia{l.oc}, dst{N, l.oc, l.hw, l.hw}, st{1, 1}, pd{1, 1};
    auto smd = memory::desc(src, T, at), wmd = memory::desc(wei, T, tag::any), bmd = memory::desc(bia, dt::f32, tag::x),
         dmd = memory::desc(dst, dt::f32, at), ddmd = memory::desc(dst, T, at), dsmd = memory::desc(src, dt::f32, at);
    auto fd = convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct, smd, wmd, bmd, dmd, st, pd, pd);
    auto fpd = convolution_forward::primitive_desc(fd, eng);
    convolution_forward fwd(fpd);
    auto S = mem(fpd.src_desc()), W = mem(fpd.weights_desc()), B = mem(fpd.bias_desc()), D = mem(fpd.dst_desc());
    jobs.push_back({std::string(l.n) + " fwd " + tn, [=, &s]() mutable { fwd.execute(s, {{DNNL_ARG_SRC, S}, {DNNL_ARG_WEIGHTS, W}, {DNNL_ARG_BIAS, B}, {DNNL_ARG_DST, D}}); s.wait(); }, {}, fpd.impl_info_str()});
    auto wd = convolution_backward_weights::desc(algorithm::convolution_direct, smd, memory::desc(wei, dt::f32, tag::any), bmd, ddmd, st, pd, pd);
    auto wpd = convolution_backward_weights::primitive_desc(wd, eng, fpd);
    convolution_backward_weights bw(wpd);
    auto S2 = mem(wpd.src_desc()), DD = mem(wpd.diff_dst_desc()), DW = mem(wpd.diff_weights_desc()), DB = mem(wpd.diff_bias_desc());
    jobs.push_back({std::string(l.n) + " bwd_w " + tn, [=, &s]() mutable { bw.execute(s, {{DNNL_ARG_SRC, S2}, {DNNL_ARG_DIFF_DST, DD}, {DNNL_ARG_DIFF_WEIGHTS, DW}, {DNNL_ARG_DIFF_BIAS, DB}}); s.wait(); }, {}, wpd.impl_info_str()});
    if (l.ic > 1) {
      auto dd = convolution_backward_data::desc(algorithm::convolution_direct, dsmd, wmd, ddmd, st, pd, pd);
      auto dpd = convolution_backward_data::primitive_desc(dd, eng, fpd);
      convolution_backward_data bd(dpd);
      auto DS = mem(dpd.diff_src_desc()), W3 = mem(dpd.weights_desc()), DD3 = mem(dpd.diff_dst_desc());
      jobs.push_back({std::string(l.n) + " bwd_d " + tn, [=, &s]() mutable { bd.execute(s, {{DNNL_ARG_DIFF_SRC, DS}, {DNNL_ARG_WEIGHTS, W3}, {DNNL_ARG_DIFF_DST, DD3}}); s.wait(); }, {}, dpd.impl_info_str()});
    }
    if (T == dt::bf16) {  // converting this layer's input and its output gradient to bf16 each step
      for (auto dims : {src, dst}) {
        auto a = mem(memory::desc(dims, dt::f32, tag::nhwc)), b = mem(memory::desc(dims, dt::bf16, blocked ? tag::nhwc : tag::nhwc));
        reorder r(a, b);
        jobs.push_back({std::string(l.n) + " cvt " + std::to_string(dims[1]) + "x" + std::to_string(dims[2]), [=, &s]() mutable { r.execute(s, a, b); s.wait(); }, {}, "reorder"});
      }
    }
  }
  for (auto &j : jobs) for (int w = 0; w < 5; w++) j.f();
  for (int rep = 0; rep < 30; rep++) for (auto &j : jobs) { double a = now(); j.f(); j.t.push_back(now() - a); }
  double tf = 0, tb = 0, tc = 0;
  for (auto &j : jobs) { std::sort(j.t.begin(), j.t.end()); double m = j.t[j.t.size() / 2];
    printf("%-22s %8.3f ms  %s\n", j.name.c_str(), m * 1e3, j.impl.c_str());
    if (j.name.find("cvt") != std::string::npos) tc += m; else if (j.name.find("bf16") != std::string::npos) tb += m; else tf += m; }
  printf("layouts %s: conv work per batch-64 step f32 %.2f ms, bf16 %.2f ms (%.2fx), bf16 conversions %.2f ms\n", blocked ? "any" : "nhwc", tf * 1e3, tb * 1e3, tf / tb, tc * 1e3);
}
